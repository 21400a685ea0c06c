// `gatehouse assistant [--once] [--model M]`: briefs the pending approvals (tasks waiting for a decision
// and open firewall asks) through the running engine, without a console. The engine makes the model
// calls, so the budget, the ledger record of what was sent and the stored briefs are the engine's.
// --once processes what is pending now and exits; without it, polls until interrupted.
import type { CommandModule } from 'yargs';
import type { EngineClient } from '../../client/engineClient.js';
import type { AssistantError, Brief } from '../../shared/assistant.js';
import { CliError } from '../cliError.js';
import { stateDirOf, toCliError, type GlobalArgs } from '../context.js';

interface AssistantArgs extends GlobalArgs {
  once: boolean;
  model?: string;
  interval: number;
  json: boolean;
}

type Subject = import('../../engine/assistant/types.js').Subject;
type Round = import('../../engine/assistant/processPending.js').ProcessPendingResult;

function out(json: boolean, obj: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(obj)}\n` : `${text}\n`);
}

function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export const assistantCommand: CommandModule<GlobalArgs, AssistantArgs> = {
  command: 'assistant',
  describe: 'brief pending approvals with the approval assistant (exit 0: all briefed; 1: a brief failed or the assistant is off)',
  builder: (y) =>
    y
      .option('once', { type: 'boolean', default: false, describe: 'process what is pending now, then exit' })
      .option('model', { type: 'string', describe: 'model to use instead of the configured one' })
      .option('interval', { type: 'number', default: 5, describe: 'seconds between rounds when polling' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line' }) as never,
  handler: async (argv) => {
    const { connectEngine } = await import('../../client/ipcClient.js');
    const { processPending, pollPending } = await import('../../engine/assistant/processPending.js');
    let client: EngineClient;
    try {
      client = await connectEngine({ stateDir: stateDirOf(argv), surface: 'cli' });
    } catch (err) {
      throw toCliError(err);
    }
    try {
      const status = await client.assistant.status();
      if (!status.enabled) {
        out(argv.json, { event: 'off', reason: status.reason }, status.reason);
        throw new CliError(status.reason, 1);
      }
      out(argv.json, { event: 'on', provider: status.provider, model: argv.model ?? status.model }, `assistant on: ${status.provider} ${argv.model ?? status.model}`);

      const kinds = new Map<string, Subject['kind']>();
      const options = {
        listPending: async (): Promise<Subject[]> => {
          const [page, prompts] = await Promise.all([client.tasks.list({ status: 'pending_approval', limit: 500 }), client.prompts.list()]);
          const subjects: Subject[] = [...page.tasks.map((task) => ({ kind: 'task' as const, task })), ...prompts.map((prompt) => ({ kind: 'prompt' as const, prompt }))];
          for (const s of subjects) kinds.set(s.kind === 'task' ? s.task.task_id : s.kind === 'prompt' ? s.prompt.id : s.alert.id, s.kind);
          return subjects;
        },
        hasBrief: async (id: string) => (await client.assistant.brief(id)).state === 'ready',
        assistant: {
          // The engine makes (or joins) the call and stores the brief; this only waits for it.
          brief: async (subject: Subject): Promise<Brief | AssistantError> => {
            const id = subject.kind === 'task' ? subject.task.task_id : subject.kind === 'prompt' ? subject.prompt.id : subject.alert.id;
            const info = await client.assistant.brief(id, { wait: true, ...(argv.model ? { model: argv.model } : {}) });
            return info.brief ?? info.error ?? { error: 'internal', message: `no brief (state ${info.state})`, request_id: null };
          },
        },
        storeBrief: () => {},
        concurrency: 2,
      };
      const report = (r: Round) => {
        for (const b of r.briefed) {
          out(argv.json, { event: 'brief', kind: kinds.get(b.subject_id) ?? null, ...b }, `${b.subject_id}  ${kinds.get(b.subject_id) ?? ''}  risk ${b.risk}  ${oneLine(b.summary)}`);
        }
        for (const f of r.failed) {
          out(argv.json, { event: 'failed', subject_id: f.subject_id, ...f.error }, `${f.subject_id}  failed  ${f.error.error}: ${oneLine(f.error.message)}`);
        }
      };

      if (argv.once) {
        const r = await processPending(options);
        report(r);
        out(argv.json, { event: 'done', briefed: r.briefed.length, already: r.skipped.length, failed: r.failed.length }, `${r.briefed.length} briefed, ${r.skipped.length} already briefed, ${r.failed.length} failed`);
        if (r.failed.length > 0) process.exitCode = 1;
        return;
      }
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      await pollPending({ ...options, intervalMs: Math.max(1, argv.interval) * 1000, signal: stop.signal, onRound: report });
    } catch (err) {
      throw err instanceof CliError ? err : toCliError(err);
    } finally {
      await client.close();
    }
  },
};
