// Commands over several engines (`--host URL`, repeatable; README "Several hosts"): each host is asked in
// parallel with its own deadline, so a host that is down or hangs is reported as down and never
// holds up the others.
import type { EngineClient } from '../client/engineClient.js';
import { connectHostClient, parseHostUrl, type HostEndpoint } from '../client/hostTransport.js';
import { EngineError } from '../shared/errors.js';
import { CliError } from './cliError.js';
import { detailsLine } from './context.js';

export type HostResult<T> = { host: string; up: true; value: T } | { host: string; up: false; error: string; refused?: boolean };

/** The `--host` values, parsed; a bad URL is a usage error (exit 2). */
export function hostsOf(raw: unknown): HostEndpoint[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: HostEndpoint[] = [];
  for (const r of list) {
    try {
      const e = parseHostUrl(String(r));
      if (!out.some((o) => o.url === e.url)) out.push(e);
    } catch (err) {
      throw new CliError(`--host ${(err as Error).message.replace(/^host /, '')}`, 2);
    }
  }
  return out;
}

function messageOf(err: unknown): string {
  if (err instanceof EngineError) {
    const d = detailsLine(err.details);
    return err.message + (d ? `: ${d}` : '');
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` against every host at once; each gets `deadlineMs` in all (connect included). */
export async function overHosts<T>(hosts: readonly HostEndpoint[], fn: (client: EngineClient, host: HostEndpoint) => Promise<T>, deadlineMs = 20_000): Promise<Array<HostResult<T>>> {
  return Promise.all(
    hosts.map(async (h): Promise<HostResult<T>> => {
      let client: EngineClient | null = null;
      let timer: NodeJS.Timeout | undefined;
      let over = false;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          over = true;
          reject(new Error(`no answer within ${deadlineMs} ms`));
        }, deadlineMs);
      });
      try {
        const work = (async () => {
          const c = await connectHostClient(h, { surface: 'cli', callTimeoutMs: deadlineMs });
          if (over) {
            await c.close(); // connected after its deadline: given up on already
            throw new Error('late');
          }
          client = c;
          return fn(c, h);
        })();
        work.catch(() => {});
        return { host: h.url, up: true, value: await Promise.race([work, deadline]) };
      } catch (err) {
        // refused: the engine answered with an error (bad request, conflict), as against being unreachable.
        return { host: h.url, up: false, error: messageOf(err), ...(err instanceof EngineError && err.code !== 'unavailable' ? { refused: true } : {}) };
      } finally {
        clearTimeout(timer);
        await (client as EngineClient | null)?.close().catch(() => {});
      }
    }),
  );
}

/** One line on stderr per host that is down; exit 3 when no host answered. */
export function reportDown(results: ReadonlyArray<HostResult<unknown>>): void {
  for (const r of results) if (!r.up) process.stderr.write(`gatehouse: host ${r.host} is down: ${r.error}\n`);
  if (results.length > 0 && results.every((r) => !r.up)) process.exitCode = 3;
}
