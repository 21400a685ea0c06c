// The console's state and the one reducer that changes it. Keys and engine answers both arrive as
// actions, so two keys in one chunk see each other's effect (no stale closures). Pure: no ink, no I/O.
import type { Agent } from '../shared/agent.js';
import type { Alert } from '../shared/alert.js';
import type { AssistantHistory } from '../shared/assistant.js';
import type { Prompt } from '../shared/firewall.js';
import type { LedgerRecord } from '../shared/ledger.js';
import type { HostState } from '../shared/fleet.js';
import type { EngineStatus } from '../shared/status.js';
import type { Task, TaskDetail } from '../shared/task.js';
import { NO_FILTER, onFilteredHost, sameFilter, type QueueFilter } from './queueFilter.js';

export const VIEWS = ['queue', 'prompts', 'alerts', 'agents', 'ledger'] as const;
export type ViewName = (typeof VIEWS)[number];
export const ORDERS = ['newest', 'oldest', 'cost'] as const;
export type QueueOrder = (typeof ORDERS)[number];

export type InputPurpose = 'filter' | 'reject' | 'denyFeedback' | 'command' | 'ask';
export type ConfirmPurpose = 'abort' | 'allowAlways' | 'bulkApprove' | 'trust' | 'quit';

export type Dialog =
  | { kind: 'input'; purpose: InputPurpose; label: string; value: string; targets: string[] }
  | { kind: 'confirm'; purpose: ConfirmPurpose; message: string; targets: string[] };

export interface Flash {
  text: string;
  tone: 'ok' | 'error' | 'info';
}

export interface QueueState {
  rows: Task[];
  total: number;
  offset: number;
  /** Absolute index of the selection in the filtered, ordered list. */
  cursor: number;
  /** The selection follows this task id when rows reorder. */
  selectedId: string | null;
  marks: string[];
  filter: QueueFilter;
  order: QueueOrder;
  pageSize: number;
  loaded: boolean;
}

/** The approval assistant's part of a detail: its brief and chat, and the question on its way. */
export interface DetailAssistant {
  history: AssistantHistory | null;
  asking: string | null;
  error: string | null;
}

export interface ConsoleState {
  view: ViewName;
  help: boolean;
  /** First help line shown (the help scrolls when it is taller than the screen). */
  helpScroll: number;
  detail: { id: string; task: TaskDetail | null; scroll: number; error: string | null; assistant?: DetailAssistant } | null;
  dialog: Dialog | null;
  /** The ask taken up with `p` on the banner, by id. It stays until answered here or left with esc, even
   * when the ask goes away (answered elsewhere, expired): the operator's next `a` must not fall through
   * to the queue and approve a task. */
  answering: string | null;
  ctrlCArmed: boolean;
  flash: Flash | null;
  quit: boolean;
  connected: boolean;
  /** The socket dropped and the client is trying again (attempt = failed tries so far). */
  reconnecting: { attempt: number } | null;
  /** When the flash was set (ms), so it can fade after a while. */
  flashAt: number;
  status: EngineStatus | null;
  /** Over several engines: each host, up or down (null: one engine). */
  hosts: HostState[] | null;
  queue: QueueState;
  prompts: Prompt[];
  alerts: Alert[];
  agents: Agent[];
  ledger: LedgerRecord[];
  /** Selection (by id) for the smaller lists. */
  selected: { prompts: string | null; alerts: string | null; agents: string | null; ledger: string | null };
  /** The assistant's brief of the ask selected in the Prompts view, by the ask's id. */
  promptBrief: { id: string; history: AssistantHistory } | null;
}

export function initialState(pageSize = 20): ConsoleState {
  return {
    view: 'queue',
    help: false,
    helpScroll: 0,
    detail: null,
    dialog: null,
    answering: null,
    ctrlCArmed: false,
    flash: null,
    quit: false,
    connected: true,
    reconnecting: null,
    flashAt: 0,
    status: null,
    hosts: null,
    queue: { rows: [], total: 0, offset: 0, cursor: 0, selectedId: null, marks: [], filter: NO_FILTER, order: 'newest', pageSize, loaded: false },
    prompts: [],
    alerts: [],
    agents: [],
    ledger: [],
    selected: { prompts: null, alerts: null, agents: null, ledger: null },
    promptBrief: null,
  };
}

export type Action =
  | { type: 'view'; view: ViewName }
  | { type: 'view.cycle'; delta: 1 | -1 }
  | { type: 'help'; open: boolean }
  | { type: 'help.scroll'; to: 'delta' | 'top' | 'bottom'; delta?: number; max: number }
  | { type: 'detail.open'; id: string }
  | { type: 'detail.loaded'; task: TaskDetail }
  | { type: 'detail.failed'; id: string; error: string }
  | { type: 'detail.scroll'; delta: number }
  | { type: 'detail.close' }
  | { type: 'assistant.loaded'; id: string; history: AssistantHistory }
  | { type: 'assistant.asking'; id: string; question: string }
  | { type: 'assistant.answered'; id: string; error: string | null }
  | { type: 'dialog.open'; dialog: Dialog }
  | { type: 'dialog.edit'; value: string }
  | { type: 'dialog.close' }
  | { type: 'answering'; id: string | null }
  | { type: 'ctrlc.arm'; armed: boolean }
  | { type: 'flash'; flash: Flash | null; at?: number }
  | { type: 'quit' }
  | { type: 'connected'; connected: boolean }
  | { type: 'connection'; reconnecting: boolean; attempt: number }
  | { type: 'flash.expire'; at: number }
  | { type: 'status'; status: EngineStatus }
  | { type: 'hosts'; hosts: HostState[] }
  | { type: 'queue.move'; to: 'delta' | 'top' | 'bottom'; delta?: number }
  | { type: 'queue.page'; key: string; offset: number; rows: Task[]; total: number }
  | { type: 'queue.pageSize'; pageSize: number }
  | { type: 'queue.filter'; filter: QueueFilter }
  | { type: 'queue.order'; order: QueueOrder }
  | { type: 'queue.mark' }
  | { type: 'queue.unmarkAll' }
  | { type: 'list.move'; list: 'prompts' | 'alerts' | 'agents' | 'ledger'; to: 'delta' | 'top' | 'bottom'; delta?: number }
  | { type: 'prompts'; prompts: Prompt[] }
  | { type: 'alerts'; alerts: Alert[] }
  | { type: 'agents'; agents: Agent[] }
  | { type: 'ledger'; ledger: LedgerRecord[] };

/** The query the visible Queue page needs; its key tells a current answer from a stale one. */
export function queueQuery(q: QueueState): { key: string; limit: number; offset: number; status?: Task['status'] | Task['status'][]; text?: string; order: QueueOrder; host?: string } {
  const query = {
    limit: q.pageSize,
    offset: q.offset,
    order: q.order,
    ...(q.filter.status?.length ? { status: q.filter.status.length === 1 ? q.filter.status[0]! : [...q.filter.status] } : {}),
    ...(q.filter.text ? { text: q.filter.text } : {}),
    ...(q.filter.host ? { host: q.filter.host } : {}),
  };
  return { key: JSON.stringify(query), ...query };
}

/** Same rows as shown already? Then the state (and the screen) stays as it is: a refresh that changed
 * nothing must not cost a render. */
function sameTasks(a: readonly Task[], b: readonly Task[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.task_id !== y.task_id || x.status !== y.status || x.updated_at !== y.updated_at || x.actual_cost !== y.actual_cost || x.description !== y.description || x.estimated_cost !== y.estimated_cost) return false;
  }
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

function moveQueue(q: QueueState, cursor: number): QueueState {
  const c = clamp(cursor, 0, Math.max(0, q.total - 1));
  let offset = q.offset;
  if (c < offset) offset = c;
  if (c >= offset + q.pageSize) offset = c - q.pageSize + 1;
  const row = offset === q.offset ? q.rows[c - offset] : undefined;
  return { ...q, cursor: c, offset, selectedId: row ? row.task_id : null };
}

/** A ledger record's key in the console: its number, and over a fleet its host too (numbers repeat across hosts). */
export function ledgerKey(r: LedgerRecord): string {
  const host = (r as { host?: unknown }).host;
  return typeof host === 'string' ? `${host}:${r.seq}` : String(r.seq);
}

/** Oldest first: by number on one engine; over a fleet by time, then host, then number. */
export function ledgerOrder(a: LedgerRecord, b: LedgerRecord): number {
  const ha = (a as { host?: unknown }).host;
  const hb = (b as { host?: unknown }).host;
  if (typeof ha !== 'string' && typeof hb !== 'string') return a.seq - b.seq;
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (ha !== hb) return String(ha) < String(hb) ? -1 : 1;
  return a.seq - b.seq;
}

function idOf(list: 'prompts' | 'alerts' | 'agents' | 'ledger', item: Prompt | Alert | Agent | LedgerRecord): string {
  if (list === 'agents') return (item as Agent).name;
  if (list === 'ledger') return ledgerKey(item as LedgerRecord);
  return (item as Prompt | Alert).id;
}

/** Keep a list's selection on the same id; fall back to the first row. */
function keepSelection<T extends Prompt | Alert | Agent | LedgerRecord>(list: 'prompts' | 'alerts' | 'agents' | 'ledger', items: readonly T[], selected: string | null): string | null {
  if (selected !== null && items.some((i) => idOf(list, i) === selected)) return selected;
  const first = items[0];
  return first ? idOf(list, first) : null;
}

/** Alerts in the order the Alerts view shows them: unacknowledged first, most severe first, newest first. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return alerts.slice().sort((a, b) => {
    const acked = Number(a.acked_by !== undefined) - Number(b.acked_by !== undefined);
    if (acked !== 0) return acked;
    if (a.severity !== b.severity) return a.severity < b.severity ? -1 : 1;
    return a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0;
  });
}

export function listItems(s: ConsoleState, list: 'prompts' | 'alerts' | 'agents' | 'ledger'): Array<Prompt | Alert | Agent | LedgerRecord> {
  if (list === 'prompts') return s.prompts;
  if (list === 'alerts') return sortAlerts(s.alerts);
  if (list === 'agents') return s.agents;
  return s.ledger.slice().reverse(); // newest first
}

export function selectedIndex(s: ConsoleState, list: 'prompts' | 'alerts' | 'agents' | 'ledger'): number {
  const items = listItems(s, list);
  const i = items.findIndex((it) => idOf(list, it) === s.selected[list]);
  return i < 0 ? 0 : i;
}

export function reduce(s: ConsoleState, a: Action): ConsoleState {
  switch (a.type) {
    case 'view':
      return { ...s, view: a.view, detail: null, help: false, answering: null };
    case 'view.cycle': {
      const i = VIEWS.indexOf(s.view);
      return { ...s, view: VIEWS[(i + a.delta + VIEWS.length) % VIEWS.length] ?? 'queue', detail: null };
    }
    case 'help':
      return { ...s, help: a.open, helpScroll: 0 };
    case 'help.scroll': {
      const target = a.to === 'top' ? 0 : a.to === 'bottom' ? a.max : s.helpScroll + (a.delta ?? 0);
      return { ...s, helpScroll: clamp(target, 0, Math.max(0, a.max)) };
    }
    case 'detail.open':
      return { ...s, detail: { id: a.id, task: null, scroll: 0, error: null } };
    case 'detail.loaded':
      return s.detail && s.detail.id === a.task.task_id ? { ...s, detail: { ...s.detail, task: a.task, error: null } } : s;
    case 'assistant.loaded':
    case 'assistant.asking':
    case 'assistant.answered': {
      if (a.type === 'assistant.loaded' && s.prompts.some((p) => p.id === a.id)) {
        if (s.promptBrief?.id === a.id && sameJson(s.promptBrief.history, a.history)) return s;
        return { ...s, promptBrief: { id: a.id, history: a.history } };
      }
      if (!s.detail || s.detail.id !== a.id) return s;
      const prev = s.detail.assistant ?? { history: null, asking: null, error: null };
      const next =
        a.type === 'assistant.loaded'
          ? { ...prev, history: a.history }
          : a.type === 'assistant.asking'
            ? { ...prev, asking: a.question, error: null }
            : { ...prev, asking: null, error: a.error };
      return { ...s, detail: { ...s.detail, assistant: next } };
    }
    case 'detail.failed':
      return s.detail && s.detail.id === a.id ? { ...s, detail: { ...s.detail, error: a.error } } : s;
    case 'detail.scroll': {
      if (!s.detail) return s;
      const t = s.detail.task;
      // About one line per field, transition, constraint and log line: enough to stop scrolling into nothing.
      const max = t ? 10 + t.transitions.length + t.constraints.length + t.logs.length + 3 + (s.detail.assistant?.history?.messages.length ?? 0) : 0;
      return { ...s, detail: { ...s.detail, scroll: clamp(s.detail.scroll + a.delta, 0, max) } };
    }
    case 'detail.close':
      return { ...s, detail: null };
    case 'dialog.open':
      return { ...s, dialog: a.dialog };
    case 'dialog.edit':
      return s.dialog?.kind === 'input' ? { ...s, dialog: { ...s.dialog, value: a.value } } : s;
    case 'dialog.close':
      return { ...s, dialog: null };
    case 'answering':
      return { ...s, answering: a.id };
    case 'ctrlc.arm':
      return { ...s, ctrlCArmed: a.armed };
    case 'flash':
      return { ...s, flash: a.flash, flashAt: a.flash ? (a.at ?? Date.now()) : s.flashAt };
    case 'quit':
      return { ...s, quit: true };
    case 'connected':
      return { ...s, connected: a.connected };
    case 'connection':
      // Back: the header says connecting until the next status read shows the (maybe new) engine.
      return a.reconnecting ? { ...s, reconnecting: { attempt: a.attempt } } : { ...s, reconnecting: null, connected: true };
    case 'flash.expire':
      // Only the message shown at that time goes; a newer one keeps its own time.
      return s.flash && s.flashAt <= a.at ? { ...s, flash: null, ctrlCArmed: false } : s;
    case 'status': {
      // uptime_ms and the queue timestamp move on every read; the header shows uptime in minutes.
      const strip = (x: EngineStatus) => ({ ...x, uptime_ms: Math.floor(x.uptime_ms / 60_000), queue: { ...x.queue, timestamp: '' } });
      if (s.connected && s.status && sameJson(strip(s.status), strip(a.status))) return s;
      return { ...s, status: a.status, connected: true };
    }
    case 'queue.move': {
      const q = s.queue;
      const target = a.to === 'top' ? 0 : a.to === 'bottom' ? q.total - 1 : q.cursor + (a.delta ?? 0);
      return { ...s, queue: moveQueue(q, target) };
    }
    case 'queue.page': {
      const q = s.queue;
      if (a.key !== queueQuery(q).key) return s; // an answer to a page we no longer show
      const found = q.selectedId === null ? -1 : a.rows.findIndex((t) => t.task_id === q.selectedId);
      const cursor = clamp(found >= 0 ? a.offset + found : q.cursor, 0, Math.max(0, a.total - 1));
      if (cursor >= a.offset && cursor < a.offset + Math.max(1, a.rows.length)) {
        const row = a.rows[cursor - a.offset];
        if (q.loaded && a.total === q.total && cursor === q.cursor && sameTasks(q.rows, a.rows)) return s;
        return { ...s, queue: { ...q, rows: a.rows, total: a.total, cursor, loaded: true, selectedId: row ? row.task_id : null } };
      }
      // Tasks went away and the window is past the end: pull it back; the next fetch fills it.
      const offset = Math.max(0, Math.min(q.offset, a.total - q.pageSize));
      return { ...s, queue: { ...q, rows: [], total: a.total, cursor, offset, loaded: true, selectedId: null } };
    }
    case 'queue.pageSize': {
      if (a.pageSize === s.queue.pageSize) return s;
      const q = { ...s.queue, pageSize: Math.max(1, a.pageSize) };
      return { ...s, queue: moveQueue(q, q.cursor) };
    }
    case 'queue.filter':
      // The same filter again (enter after live filtering applied it) keeps the page: the controller does
      // not fetch a query it already has, so clearing the rows here left the Queue "loading…" for good.
      if (sameFilter(a.filter, s.queue.filter)) return s;
      return { ...s, queue: { ...s.queue, filter: a.filter, offset: 0, cursor: 0, selectedId: null, rows: [], loaded: false } };
    case 'queue.order':
      return { ...s, queue: { ...s.queue, order: a.order, offset: 0, cursor: 0, selectedId: null } };
    case 'queue.mark': {
      const id = s.queue.selectedId;
      if (!id) return s;
      const marks = s.queue.marks.includes(id) ? s.queue.marks.filter((m) => m !== id) : [...s.queue.marks, id];
      return { ...s, queue: moveQueue({ ...s.queue, marks }, s.queue.cursor + 1) };
    }
    case 'queue.unmarkAll':
      return { ...s, queue: { ...s.queue, marks: [] } };
    case 'list.move': {
      const items = listItems(s, a.list);
      if (items.length === 0) return s;
      const cur = selectedIndex(s, a.list);
      const i = clamp(a.to === 'top' ? 0 : a.to === 'bottom' ? items.length - 1 : cur + (a.delta ?? 0), 0, items.length - 1);
      const item = items[i];
      return item ? { ...s, selected: { ...s.selected, [a.list]: idOf(a.list, item) } } : s;
    }
    case 'hosts':
      if (sameJson(s.hosts, a.hosts)) return s;
      return { ...s, hosts: a.hosts };
    case 'prompts': {
      const pending = a.prompts.filter((p) => p.state === 'pending' && onFilteredHost(s.queue.filter, p)).sort((x, y) => (x.expires_at < y.expires_at ? -1 : 1));
      const brief = s.promptBrief && pending.some((p) => p.id === s.promptBrief?.id) ? s.promptBrief : null;
      return { ...s, prompts: pending, promptBrief: brief, selected: { ...s.selected, prompts: keepSelection('prompts', pending, s.selected.prompts) } };
    }
    case 'alerts': {
      const alerts = s.queue.filter.host ? a.alerts.filter((x) => onFilteredHost(s.queue.filter, x)) : a.alerts;
      return { ...s, alerts, selected: { ...s.selected, alerts: keepSelection('alerts', sortAlerts(alerts), s.selected.alerts) } };
    }
    case 'agents':
      if (sameJson(s.agents, a.agents)) return s;
      return { ...s, agents: a.agents, selected: { ...s.selected, agents: keepSelection('agents', a.agents, s.selected.agents) } };
    case 'ledger': {
      if (s.ledger.length === a.ledger.length && s.ledger.at(-1)?.hash === a.ledger.at(-1)?.hash) return s;
      const newestFirst = a.ledger.slice().reverse();
      return { ...s, ledger: a.ledger, selected: { ...s.selected, ledger: keepSelection('ledger', newestFirst, s.selected.ledger) } };
    }
  }
}

export interface Store {
  getState(): ConsoleState;
  dispatch(action: Action): void;
  subscribe(listener: () => void): () => void;
}

/**
 * A tiny external store: key handlers read the latest state synchronously; views are told once per
 * microtask however many actions ran (a refresh that dispatches three answers renders once).
 */
export function createStore(initial: ConsoleState): Store {
  let state = initial;
  let queued = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    queued = false;
    for (const l of listeners) l();
  };
  return {
    getState: () => state,
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      if (!queued) {
        queued = true;
        queueMicrotask(notify);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
