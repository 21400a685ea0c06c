// Parses the Queue filter line: free text plus `status:NAME`. Pure.
import { TASK_STATUSES, type TaskStatus } from '../shared/task.js';

export interface QueueFilter {
  text: string;
  status: TaskStatus | null;
}

export const NO_FILTER: QueueFilter = { text: '', status: null };

export type FilterParse = { ok: true; filter: QueueFilter } | { ok: false; error: string };

export function parseQueueFilter(line: string): FilterParse {
  let status: TaskStatus | null = null;
  const words: string[] = [];
  for (const word of line.trim().split(/\s+/).filter(Boolean)) {
    const m = /^status:(.*)$/i.exec(word);
    if (!m) {
      words.push(word);
      continue;
    }
    const name = (m[1] ?? '').toLowerCase();
    if (!(TASK_STATUSES as readonly string[]).includes(name)) {
      return { ok: false, error: `unknown status '${name}' in filter (allowed: ${TASK_STATUSES.join(', ')})` };
    }
    status = name as TaskStatus;
  }
  const text = words.join(' ');
  if (text.length > 200) return { ok: false, error: `filter text is ${text.length} characters (at most 200)` };
  return { ok: true, filter: { text, status } };
}

export function describeFilter(f: QueueFilter): string {
  return [f.status ? `status:${f.status}` : '', f.text].filter(Boolean).join(' ');
}
