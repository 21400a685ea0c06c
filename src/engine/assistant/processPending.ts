// `gatehouse assistant --once` and the polling loop: brief every pending approval that has no brief
// yet, a few at a time. Failures are reported per subject and never stop the others.
import { isAssistantError, subjectId, type AssistantError, type Brief, type BriefContext, type Subject } from './types.js';
import type { CallOptions } from './assistant.js';

export interface ProcessPendingOptions {
  assistant: { brief(subject: Subject, context?: BriefContext, opts?: CallOptions): Promise<Brief | AssistantError> };
  /** Pending tasks and open prompts, as subjects. */
  listPending: () => Subject[] | Promise<Subject[]>;
  /** True when the subject already has a brief (e.g. store.getBrief(id) !== null). */
  hasBrief: (subjectId: string) => boolean | Promise<boolean>;
  storeBrief: (brief: Brief) => void | Promise<void>;
  /** The agent's recent decisions and open alerts for a subject. */
  contextFor?: (subject: Subject) => BriefContext | Promise<BriefContext>;
  /** Parallel briefs at most; default 2. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ProcessPendingResult {
  briefed: Brief[];
  skipped: string[];
  failed: Array<{ subject_id: string; error: AssistantError }>;
}

export async function processPending(o: ProcessPendingOptions): Promise<ProcessPendingResult> {
  const result: ProcessPendingResult = { briefed: [], skipped: [], failed: [] };
  const pending = await o.listPending();
  const queue: Subject[] = [];
  const seen = new Set<string>();
  for (const s of pending) {
    const id = subjectId(s);
    if (seen.has(id)) continue;
    seen.add(id);
    if (await o.hasBrief(id)) result.skipped.push(id);
    else queue.push(s);
  }
  const workers = Math.max(1, Math.min(o.concurrency ?? 2, queue.length));
  let next = 0;
  const work = async () => {
    while (next < queue.length && !o.signal?.aborted) {
      const subject = queue[next++]!;
      const id = subjectId(subject);
      try {
        const context = o.contextFor ? await o.contextFor(subject) : {};
        const out = await o.assistant.brief(subject, context, o.signal ? { signal: o.signal } : {});
        if (isAssistantError(out)) {
          result.failed.push({ subject_id: id, error: out });
          continue;
        }
        await o.storeBrief(out);
        result.briefed.push(out);
      } catch (err) {
        result.failed.push({ subject_id: id, error: { error: 'internal', message: (err as Error).message, request_id: null } });
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  return result;
}

/** Runs processPending every intervalMs until the signal aborts; each round's result goes to onRound. */
export async function pollPending(
  o: ProcessPendingOptions & { intervalMs: number; signal: AbortSignal; onRound?: (r: ProcessPendingResult) => void },
): Promise<void> {
  while (!o.signal.aborted) {
    try {
      o.onRound?.(await processPending(o));
    } catch (err) {
      o.onRound?.({ briefed: [], skipped: [], failed: [{ subject_id: '*', error: { error: 'internal', message: (err as Error).message, request_id: null } }] });
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.intervalMs);
      o.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
