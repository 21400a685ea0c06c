// Commands over several engines (`--host URL`, repeatable; README "Several hosts"): each host is asked in
// parallel with its own deadline, so a host that is down or hangs is reported as down and never
// holds up the others.
import type { EngineClient } from '../client/engineClient.js';
import { readFileSync } from 'node:fs';
import type { FleetHost } from '../client/fleetClient.js';
import { connectHostClient, parseHostUrl, type HostEndpoint } from '../client/hostTransport.js';
import { EngineError } from '../shared/errors.js';
import { CliError } from './cliError.js';
import { detailsLine } from './context.js';

export type HostResult<T> = { host: string; up: true; value: T } | { host: string; up: false; error: string; refused?: boolean };

/** The `--host` option of every command that can go over a fleet. */
export const HOST_OPTION = { type: 'string', array: true, describe: 'an engine to ask (repeatable): unix:///path/gatehouse.sock, ssh://[user@]host[:port], or a fleet.hosts name (default: every fleet.hosts entry)' } as const;

/** A host to reach and the name it is shown by: a `fleet.hosts` name, or the URL given to `--host`. */
export type NamedHost = FleetHost & { url: string };

const named = (name: string, endpoint: HostEndpoint): NamedHost => ({ name, endpoint, url: endpoint.url });

/**
 * `fleet.hosts` from the config file, cheaply: a file that never says `fleet` is not parsed at all
 * (`status --tmux` runs many times a minute). An invalid file is a usage error naming the key.
 */
export async function configuredHosts(configFlag: string | undefined): Promise<NamedHost[]> {
  const { resolveConfigPath } = await import('../engine/config/config.js');
  const { path } = resolveConfigPath(configFlag);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // no file (a missing --config file is reported by the commands that need the config)
  }
  if (!/\bfleet\b/.test(text)) return [];
  const { loadConfig } = await import('../engine/config/config.js');
  const { DocumentError } = await import('../engine/platform/yamlErrors.js');
  try {
    return loadConfig(configFlag).config.fleet.hosts.map((h) => named(h.name, parseHostUrl(h.url)));
  } catch (err) {
    if (err instanceof DocumentError) throw new CliError(err.message, 2);
    throw err;
  }
}

/**
 * The hosts a command goes to: each `--host` value (a URL, or the name of a `fleet.hosts` entry), else
 * every `fleet.hosts` entry, else none (the local engine of --state-dir). An explicit `--state-dir`
 * without `--host` means that one local engine. A bad URL or unknown name is a usage error (exit 2).
 */
export async function hostsOf(argv: { host?: unknown; config?: string; 'state-dir'?: string }): Promise<NamedHost[]> {
  const raw = argv.host;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  if (list.length === 0 && argv['state-dir'] !== undefined) return [];
  const configured = list.length === 0 || list.some((r) => !r.includes('://')) ? await configuredHosts(argv.config) : [];
  if (list.length === 0) return configured;
  const out: NamedHost[] = [];
  for (const r of list) {
    let h: NamedHost;
    if (!r.includes('://')) {
      const found = configured.find((c) => c.name === r.trim());
      if (!found) throw new CliError(`--host ${r}: not a URL (unix:///path/gatehouse.sock, ssh://[user@]host[:port]) nor a name in fleet.hosts${configured.length ? ` (${configured.map((c) => c.name).join(', ')})` : ' (none configured)'}`, 2);
      h = found;
    } else {
      try {
        const e = parseHostUrl(r);
        h = named(configured.find((c) => c.url === e.url)?.name ?? e.url, e);
      } catch (err) {
        throw new CliError(`--host ${(err as Error).message.replace(/^host /, '')}`, 2);
      }
    }
    if (!out.some((o) => o.url === h.url)) out.push(h);
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
export async function overHosts<T>(hosts: readonly NamedHost[], fn: (client: EngineClient, host: NamedHost) => Promise<T>, deadlineMs = 20_000): Promise<Array<HostResult<T>>> {
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
          const c = await connectHostClient(h.endpoint, { surface: 'cli', callTimeoutMs: deadlineMs });
          if (over) {
            await c.close(); // connected after its deadline: given up on already
            throw new Error('late');
          }
          client = c;
          return fn(c, h);
        })();
        work.catch(() => {});
        return { host: h.name, up: true, value: await Promise.race([work, deadline]) };
      } catch (err) {
        // refused: the engine answered with an error (bad request, conflict), as against being unreachable.
        return { host: h.name, up: false, error: messageOf(err), ...(err instanceof EngineError && err.code !== 'unavailable' ? { refused: true } : {}) };
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

/** Every item of every host that answered, each carrying its host; the hosts that are down on stderr. */
export function itemsOf<T extends object>(results: ReadonlyArray<HostResult<T[]>>): Array<T & { host: string }> {
  reportDown(results);
  return results.flatMap((r) => (r.up ? r.value.map((x) => ({ ...x, host: r.host })) : []));
}

/**
 * The one host where `find` found the item (a task id, an agent name): exit 1 when no host that
 * answered has it, 3 when it may be on a host that is down, 2 when it is on several.
 */
export function foundOn<T>(what: string, results: ReadonlyArray<HostResult<T>>): { host: string; value: T } {
  const found = results.flatMap((r) => (r.up ? [{ host: r.host, value: r.value }] : []));
  if (found.length > 1) throw new CliError(`${what} is on ${found.length} hosts (${found.map((f) => f.host).join(', ')}): name one with --host`, 2);
  if (found.length === 1) return found[0]!;
  const down = results.filter((r) => !r.up && !r.refused).map((r) => r.host);
  throw new CliError(`${what} is on none of the ${results.length - down.length} reachable host(s)${down.length ? ` (down: ${down.join(', ')})` : ''}`, down.length ? 3 : 1);
}
