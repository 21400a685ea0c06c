// The one key-binding table. The dispatcher's handlers, the footer hints and the `?` help screen are
// all generated from it, so a key can never be documented in one place and bound in another.
import { legalEvents, type TaskEventType } from '../machines/task.machine.js';
import type { TaskStatus } from '../shared/task.js';

// 'banner': a firewall ask is shown over the view; 'prompt': the keys that answer an ask, live only while
// answering (after `p` on the banner) or in the Prompts view; 'answering': the ask taken up with `p`.
// Answer keys never share a layer with queue keys, so `a` meant for a task can never allow a command.
export type Scope = 'global' | 'list' | 'queue' | 'banner' | 'answering' | 'prompt' | 'alerts' | 'detail' | 'help';

export interface Binding {
  command: Command;
  keys: readonly string[];
  /** Short words for the footer hint bar. */
  hint: string;
  /** The full sentence for the help screen. */
  description: string;
  scope: Scope;
  /** Changes engine state: hidden and refused by --readonly. */
  dangerous?: boolean;
  /** Asks "are you sure" before acting. */
  confirm?: boolean;
  /** Left out of the footer (still in help) to keep the hint bar short. */
  helpOnly?: boolean;
  /** One word for the compact (tmux pane) banner. */
  short?: string;
  /** Acts on one task with this lifecycle event: also offered in the task's detail view, when the task's
   * status allows the event. */
  onTask?: TaskEventType;
}

export const KEYMAP = [
  { command: 'move.down', keys: ['j', 'down'], hint: 'move', description: 'move the selection down', scope: 'list' },
  { command: 'move.up', keys: ['k', 'up'], hint: 'move', description: 'move the selection up', scope: 'list', helpOnly: true },
  { command: 'move.top', keys: ['g', 'home'], hint: 'top', description: 'go to the first row', scope: 'list', helpOnly: true },
  { command: 'move.bottom', keys: ['G', 'end'], hint: 'bottom', description: 'go to the last row', scope: 'list', helpOnly: true },
  { command: 'page.down', keys: ['pagedown', 'ctrl+d'], hint: 'page', description: 'move one page down', scope: 'list', helpOnly: true },
  { command: 'page.up', keys: ['pageup', 'ctrl+u'], hint: 'page', description: 'move one page up', scope: 'list', helpOnly: true },
  { command: 'task.open', keys: ['enter'], hint: 'detail', description: 'open the task: every field, timeline, constraints, logs', scope: 'queue' },
  { command: 'task.approve', keys: ['a'], hint: 'approve', description: 'approve the selected (or marked) tasks', scope: 'queue', dangerous: true, onTask: 'task.approve' },
  { command: 'task.reject', keys: ['r'], hint: 'reject', description: 'reject the selected (or marked) tasks, with a reason', scope: 'queue', dangerous: true, onTask: 'task.reject' },
  { command: 'task.abort', keys: ['x'], hint: 'abort', description: 'abort the selected task (asks to confirm)', scope: 'queue', dangerous: true, confirm: true, onTask: 'task.abort' },
  { command: 'task.mark', keys: ['space'], hint: 'mark', description: 'mark or unmark the row for a bulk approve or reject', scope: 'queue', dangerous: true },
  { command: 'queue.sort', keys: ['s'], hint: 'sort', description: 'sort by newest, oldest, cost', scope: 'queue' },
  { command: 'queue.filter', keys: ['/'], hint: 'filter', description: 'filter by text and status:NAME (esc clears)', scope: 'queue' },
  { command: 'prompt.answer', keys: ['p'], hint: 'answer ask', description: 'take up the ask in the banner; then a/t/A/d/D answer it', scope: 'banner', dangerous: true, short: 'answer' },
  { command: 'prompt.allowOnce', keys: ['a'], hint: 'allow once', description: 'allow this command once', scope: 'prompt', dangerous: true, short: 'once' },
  { command: 'prompt.allowTask', keys: ['t'], hint: 'allow for task', description: 'allow it for the rest of this task', scope: 'prompt', dangerous: true, short: 'task' },
  { command: 'prompt.allowAlways', keys: ['A'], hint: 'allow always…', description: 'allow always: shows the rule, asks first', scope: 'prompt', dangerous: true, confirm: true, short: 'always' },
  { command: 'prompt.deny', keys: ['d'], hint: 'deny', description: 'deny', scope: 'prompt', dangerous: true, short: 'deny' },
  { command: 'prompt.denyFeedback', keys: ['D'], hint: 'deny with feedback', description: 'deny and tell the agent why', scope: 'prompt', dangerous: true, short: 'why' },
  { command: 'prompt.details', keys: ['enter'], hint: 'details', description: 'show the ask in full in the Prompts view', scope: 'answering', short: 'more' },
  { command: 'prompt.leave', keys: ['esc'], hint: 'leave', description: 'leave the ask unanswered (it keeps counting down)', scope: 'answering', short: 'leave' },
  { command: 'alert.ack', keys: ['a', 'enter'], hint: 'acknowledge', description: 'acknowledge the selected alert', scope: 'alerts', dangerous: true },
  { command: 'detail.scrollDown', keys: ['j', 'down'], hint: 'scroll', description: 'scroll the detail down', scope: 'detail' },
  { command: 'detail.scrollUp', keys: ['k', 'up'], hint: 'scroll', description: 'scroll the detail up', scope: 'detail', helpOnly: true },
  { command: 'detail.ask', keys: ['c'], hint: 'ask assistant', description: 'ask the approval assistant about this task (advisory; the answer shows when it arrives)', scope: 'detail' },
  { command: 'help.down', keys: ['j', 'down'], hint: 'scroll', description: 'scroll the help down a line', scope: 'help' },
  { command: 'help.up', keys: ['k', 'up'], hint: 'scroll', description: 'scroll the help up a line', scope: 'help', helpOnly: true },
  { command: 'help.pageDown', keys: ['pagedown', 'space', 'ctrl+d'], hint: 'page', description: 'scroll the help down a page', scope: 'help' },
  { command: 'help.pageUp', keys: ['pageup', 'ctrl+u'], hint: 'page', description: 'scroll the help up a page', scope: 'help', helpOnly: true },
  { command: 'help.top', keys: ['g', 'home'], hint: 'top', description: 'the first line of the help', scope: 'help', helpOnly: true },
  { command: 'help.bottom', keys: ['G', 'end'], hint: 'bottom', description: 'the last line of the help', scope: 'help', helpOnly: true },
  { command: 'help.close', keys: ['esc', '?', 'q'], hint: 'close help', description: 'close the help', scope: 'help' },
  { command: 'view.queue', keys: ['1'], hint: 'queue', description: 'show the task queue', scope: 'global', helpOnly: true },
  { command: 'view.prompts', keys: ['2'], hint: 'prompts', description: 'show pending firewall asks', scope: 'global', helpOnly: true },
  { command: 'view.alerts', keys: ['3'], hint: 'alerts', description: 'show security alerts', scope: 'global', helpOnly: true },
  { command: 'view.agents', keys: ['4'], hint: 'agents', description: 'show agents', scope: 'global', helpOnly: true },
  { command: 'view.ledger', keys: ['5'], hint: 'ledger', description: 'show recent ledger records', scope: 'global', helpOnly: true },
  { command: 'view.next', keys: ['tab'], hint: 'next view', description: 'next view', scope: 'global', helpOnly: true },
  { command: 'view.prev', keys: ['shift+tab'], hint: 'previous view', description: 'previous view', scope: 'global', helpOnly: true },
  { command: 'back', keys: ['esc'], hint: 'back', description: 'back; clears a filter first', scope: 'global', helpOnly: true },
  { command: 'command', keys: [':'], hint: 'command', description: 'run a command (:queue :alerts :trust :sort cost :quit)', scope: 'global' },
  { command: 'help', keys: ['?'], hint: 'help', description: 'show this help', scope: 'global' },
  { command: 'quit', keys: ['q'], hint: 'quit', description: 'quit (back, when not at the root)', scope: 'global' },
  { command: 'exit', keys: ['ctrl+c'], hint: 'exit', description: 'exit: press twice', scope: 'global', helpOnly: true },
] as const satisfies readonly Binding[];

export type Command =
  | 'move.down' | 'move.up' | 'move.top' | 'move.bottom' | 'page.down' | 'page.up'
  | 'task.open' | 'task.approve' | 'task.reject' | 'task.abort' | 'task.mark' | 'queue.sort' | 'queue.filter'
  | 'prompt.answer' | 'prompt.allowOnce' | 'prompt.allowTask' | 'prompt.allowAlways' | 'prompt.deny' | 'prompt.denyFeedback'
  | 'prompt.details' | 'prompt.leave'
  | 'help.down' | 'help.up' | 'help.pageDown' | 'help.pageUp' | 'help.top' | 'help.bottom' | 'help.close'
  | 'alert.ack' | 'detail.scrollDown' | 'detail.scrollUp' | 'detail.ask'
  | 'view.queue' | 'view.prompts' | 'view.alerts' | 'view.agents' | 'view.ledger' | 'view.next' | 'view.prev'
  | 'back' | 'command' | 'help' | 'quit' | 'exit';

const BINDINGS: readonly Binding[] = KEYMAP;

/** The command a key means in one scope, or null. Dangerous commands do not exist in a read-only console. */
export function commandFor(key: string, scope: Scope, readonly: boolean): Command | null {
  for (const b of BINDINGS) {
    if (b.scope !== scope || !b.keys.includes(key)) continue;
    if (readonly && b.dangerous) return null;
    return b.command;
  }
  return null;
}

export function bindingOf(command: Command): Binding {
  const b = BINDINGS.find((x) => x.command === command);
  if (!b) throw new Error(`keymap has no binding for command ${command}`);
  return b;
}

/** The bindings of these scopes, in the order the scopes are given (the footer puts the first ones first). */
export function bindingsFor(scopes: readonly Scope[], readonly: boolean): Binding[] {
  return scopes.flatMap((scope) => BINDINGS.filter((b) => b.scope === scope && !(readonly && b.dangerous)));
}

const KEY_LABEL: Record<string, string> = { down: '↓', up: '↑', enter: 'enter', esc: 'esc', space: 'space', tab: 'tab', pagedown: 'PgDn', pageup: 'PgUp' };
export const keyLabel = (k: string): string => KEY_LABEL[k] ?? k;
const label = keyLabel;

/** The task actions (approve, reject, abort) the lifecycle allows from this status; none while it is unknown. */
export function taskActions(status: TaskStatus | null, readonly: boolean): Binding[] {
  if (status === null) return [];
  const legal = legalEvents(status);
  return BINDINGS.filter((b) => b.onTask !== undefined && legal.includes(b.onTask) && !(readonly && b.dangerous));
}

/** Hints the footer never drops for lack of room: an operator must always see how to get help and out. */
const KEPT: readonly Command[] = ['help', 'quit'];

/** Footer hints for the scopes in front (then any extra bindings before the global ones), truncated to the
 * width at a whole hint; `? help` and `q quit` (when in scope) are kept at the end whatever the width. */
export function footerHints(scopes: readonly Scope[], readonly: boolean, width: number, extra: readonly Binding[] = []): string {
  const seen = new Set<string>();
  const parts: Array<{ text: string; kept: boolean }> = [];
  const local = bindingsFor(scopes.filter((s) => s !== 'global'), readonly);
  const bindings = [...local, ...extra, ...(scopes.includes('global') ? bindingsFor(['global'], readonly) : [])];
  for (const b of bindings) {
    if (b.helpOnly) continue;
    // A pair shares one hint ("j/k move", "j/k scroll"): the help-only twin with the same hint adds its key.
    const twin = BINDINGS.find((x) => x !== b && x.helpOnly && x.scope === b.scope && x.hint === b.hint);
    const keys = label(b.keys[0] ?? '') + (twin ? `/${label(twin.keys[0] ?? '')}` : '');
    const text = `${keys} ${b.hint}`;
    if (seen.has(text)) continue;
    seen.add(text);
    parts.push({ text, kept: KEPT.includes(b.command) });
  }
  const kept = parts.filter((p) => p.kept).map((p) => p.text);
  const tail = kept.join('  ');
  const room = width - (tail ? Array.from(tail).length + 2 : 0);
  let out = '';
  for (const p of parts) {
    if (p.kept) continue;
    const next = out ? `${out}  ${p.text}` : p.text;
    if (Array.from(next).length > room) break;
    out = next;
  }
  return [out, tail].filter(Boolean).join('  ');
}

const SCOPE_TITLE: Record<Scope, string> = {
  global: 'Everywhere',
  list: 'Lists',
  queue: 'Queue',
  banner: 'A firewall ask in the banner',
  prompt: 'Answer an ask (after p on the banner, or in the Prompts view)',
  answering: 'While answering an ask',
  alerts: 'Alerts',
  detail: 'Detail (the task actions when its status allows them)',
  help: 'This help',
};

/** Help screen lines, grouped by scope: every binding the console honours (minus dangerous ones when read-only). */
export function helpLines(readonly: boolean): string[] {
  const lines: string[] = [];
  for (const scope of Object.keys(SCOPE_TITLE) as Scope[]) {
    // The task actions work in a task's detail too (when its status allows them).
    const bs = scope === 'detail' ? [...bindingsFor([scope], readonly), ...BINDINGS.filter((b) => b.onTask !== undefined && !(readonly && b.dangerous))] : bindingsFor([scope], readonly);
    if (bs.length === 0) continue;
    lines.push(SCOPE_TITLE[scope]);
    for (const b of bs) {
      const keys = b.keys.map(label).join(' ');
      lines.push(`  ${keys.padEnd(13)}${b.dangerous ? '!' : ' '} ${b.description}`);
    }
  }
  lines.push(readonly ? 'read-only console: actions that change state are hidden' : '! changes engine state');
  return lines;
}
