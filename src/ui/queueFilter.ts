// Parses the Queue filter line: free text plus `status:NAME`, where NAME is a status, a prefix of some
// (`status:pending` is pending and pending_approval, `status:r` running and rejected) or a comma list; and,
// over several hosts, `host:NAME` (the Queue, Prompts and Alerts show that host only). Pure.
import { TASK_STATUSES, type TaskStatus } from '../shared/task.js';

export interface QueueFilter {
  text: string;
  /** Tasks in any of these statuses; null = any status. */
  status: readonly TaskStatus[] | null;
  /** One host of a fleet; absent = every host. */
  host?: string;
}

export const NO_FILTER: QueueFilter = { text: '', status: null };

export type FilterParse = { ok: true; filter: QueueFilter } | { ok: false; error: string };

/** The statuses a word names: itself when it is one, else every status it begins. */
export function statusesFor(word: string): TaskStatus[] {
  const w = word.toLowerCase();
  return TASK_STATUSES.filter((s) => s.startsWith(w));
}

/** `hosts`: the fleet's host names (none: one engine, and `host:` is refused). */
export function parseQueueFilter(line: string, hosts: readonly string[] = []): FilterParse {
  let status: TaskStatus[] | null = null;
  let host: string | undefined;
  const words: string[] = [];
  for (const word of line.trim().split(/\s+/).filter(Boolean)) {
    const h = /^host:(.*)$/i.exec(word);
    if (h) {
      const name = h[1] ?? '';
      if (hosts.length === 0) return { ok: false, error: 'host: filters a console over several hosts (gatehouse attach --host …, or fleet.hosts)' };
      const found = hosts.includes(name) ? [name] : hosts.filter((x) => x.startsWith(name));
      if (name === '' || found.length !== 1) return { ok: false, error: `${name ? `'${name}' names ${found.length ? 'several hosts' : 'no host'}` : 'host: needs a name'} (hosts: ${hosts.join(', ')})` };
      host = found[0]!;
      continue;
    }
    const m = /^status:(.*)$/i.exec(word);
    if (!m) {
      words.push(word);
      continue;
    }
    const names = (m[1] ?? '').split(',').filter(Boolean);
    if (names.length === 0) return { ok: false, error: `status: needs a name (statuses: ${TASK_STATUSES.join(', ')}; a prefix matches several)` };
    const found = new Set<TaskStatus>();
    for (const name of names) {
      const matched = statusesFor(name);
      if (matched.length === 0) return { ok: false, error: `no status begins with '${name.toLowerCase()}' (statuses: ${TASK_STATUSES.join(', ')})` };
      matched.forEach((s) => found.add(s));
    }
    status = TASK_STATUSES.filter((s) => found.has(s));
  }
  const text = words.join(' ');
  if (text.length > 200) return { ok: false, error: `filter text is ${text.length} characters (at most 200)` };
  return { ok: true, filter: { text, status, ...(host ? { host } : {}) } };
}

export function describeFilter(f: QueueFilter): string {
  return [f.host ? `host:${f.host}` : '', f.status?.length ? `status:${f.status.join(',')}` : '', f.text].filter(Boolean).join(' ');
}

export function sameFilter(a: QueueFilter, b: QueueFilter): boolean {
  return a.text === b.text && (a.status ?? []).join(',') === (b.status ?? []).join(',') && a.host === b.host;
}

/** Whether an item of a fleet is shown under the filter's host (an item without a host always is). */
export function onFilteredHost(f: QueueFilter, item: object): boolean {
  const h = (item as { host?: unknown }).host;
  return f.host === undefined || typeof h !== 'string' || h === f.host;
}

/** What the filter line offers while it is typed: the statuses a `status:` word matches, else how to use it. */
export function filterHint(value: string, hosts: readonly string[] = []): string {
  const hm = /(?:^|\s)host:([^\s]*)$/i.exec(value);
  if (hm && hosts.length) {
    const found = hosts.filter((x) => x.startsWith(hm[1] ?? ''));
    return found.length ? `→ ${found.join(' ')}` : `no host begins with '${hm[1]}': ${hosts.join(' ')}`;
  }
  const m = /(?:^|\s)status:([^\s]*)$/i.exec(value);
  if (!m) return `status:NAME by status (a prefix matches several)${hosts.length ? ' · host:NAME one host' : ''} · enter ok · esc cancel`;
  const last = (m[1] ?? '').split(',').at(-1) ?? '';
  const found = statusesFor(last);
  return found.length ? `→ ${found.join(' ')}` : `no status begins with '${last}': ${TASK_STATUSES.join(' ')}`;
}
