// Starts a real engine as a child process (`gatehouse run --no-tui`) on a fresh state dir, and gives
// tests the doors a user has: REST on loopback, the socket, the CLI as a process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/gatehouse.js');

export interface RunningEngine {
  stateDir: string;
  port: number;
  token: string;
  proc: ChildProcess;
  output: () => string;
  url: (path: string) => string;
  http: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;
  stop: () => Promise<number | null>;
  kill9: () => Promise<void>;
}

/** Each test state dir gets its own config home, so no test reads or writes the user's policy. */
export function configHomeFor(stateDir: string): string {
  return `${stateDir}-config`;
}

export function policyPathFor(stateDir: string): string {
  return join(configHomeFor(stateDir), 'gatehouse', 'policy.yaml');
}

export function tempStateDir(prefix = 'gh-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cli(args: string[], opts: { stateDir?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...(opts.stateDir ? ['--state-dir', opts.stateDir] : []), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...(opts.stateDir ? { XDG_CONFIG_HOME: configHomeFor(opts.stateDir) } : {}), ...opts.env },
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface StartOptions {
  stateDir?: string;
  config?: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** How long the engine may take to listen (default 20 s; tests that start many engines on a loaded host give more). */
  listenMs?: number;
  /** A command the engine is started under (it execs node), e.g. setpriv to run it as another user. */
  wrap?: string[];
}

export async function startEngine(o: StartOptions = {}): Promise<RunningEngine> {
  const stateDir = o.stateDir ?? tempStateDir();
  const args = [BIN, '--state-dir', stateDir, 'run', '--no-tui', '--port', '0', '--log-format', 'json', ...(o.args ?? [])];
  if (o.config) {
    const file = join(stateDir, '..', `${stateDir.split('/').pop()}-config.yaml`);
    writeFileSync(file, o.config);
    args.splice(1, 0, '--config', file);
  }
  const wrap = o.wrap ?? [];
  const proc = spawn(wrap[0] ?? process.execPath, [...wrap.slice(1), ...(wrap.length ? [process.execPath] : []), ...args], {
    env: { ...process.env, GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '', XDG_CONFIG_HOME: configHomeFor(stateDir), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  // An engine that never listens is killed, not left running behind a failed test.
  const port = await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`engine exited early (${proc.exitCode}):\n${out}`);
      const m = /"msg":"REST API listening"/.test(out) ? /"port":(\d+)/.exec(out.slice(out.indexOf('REST API listening') - 200)) : null;
      return m ? Number(m[1]) : null;
    },
    o.listenMs ?? 20_000,
    'the engine to listen',
  ).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  await waitFor(() => /"msg":"engine started"/.test(out), 10_000, 'engine started');
  const token = o.env?.GATEHOUSE_API_TOKEN || readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  return {
    stateDir,
    port,
    token,
    proc,
    output: () => out,
    url,
    async http(method, path, body, headers) {
      const res = await fetch(url(path), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as any };
    },
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export function stateFileExists(stateDir: string, name: string): boolean {
  return existsSync(join(stateDir, name));
}
