// Runs a command inside the bubblewrap sandbox (docs/containment.md) for `gatehouse exec` and `gatehouse
// sandbox`: builds the bwrap command line from the session the engine opened (or, offline, from the
// trusted policy with no network), passes the exit code through, and stops the sandbox when the engine
// goes away, so nothing keeps running unwatched.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { sandboxFor, SandboxSectionSchema, type SandboxSection, type WarmNetwork } from '../shared/containPolicy.js';
import { buildSandbox, EXIT_NO_SANDBOX, probeSandbox } from '../engine/contain/sandbox.js';
import { defaultPolicyPath, parsePolicyText } from '../engine/firewall/index.js';
import { statePath } from '../engine/store/stateDir.js';
import { CliError } from './cliError.js';
import { openWarmNetns, warmEntry } from './warmNetns.js';

export { canEnterWarm } from './warmNetns.js';

export interface ContainedRun {
  argv: string[];
  workspace: string;
  stateDir: string;
  section: SandboxSection;
  proxySocket: string | null;
  /** The warm network namespace the engine handed this run (its proxy port already the engine's), if any. */
  warm?: WarmNetwork | null;
  extraSockets?: string[];
  engineDoor?: { from: string; to: string } | null;
  env?: NodeJS.ProcessEnv;
  /** Called with a stop function once the sandbox runs; the caller stops it when the engine goes away. */
  onStarted?: (stop: (why: string) => void, pid: number) => void;
}

/** Whether this process already runs inside a gatehouse sandbox (its PID namespace's init is bwrap). */
export function insideSandbox(): boolean {
  if (!process.env.GATEHOUSE_SANDBOX) return false;
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim() === 'bwrap';
  } catch {
    return false;
  }
}

/** The sandbox section of the trusted policy for an agent (offline); the default section when there is none. */
export function sandboxOffline(stateDir: string, agent: string): SandboxSection {
  const file = statePath(stateDir, 'policyTrusted');
  if (existsSync(file)) {
    try {
      return sandboxFor(parsePolicyText((JSON.parse(readFileSync(file, 'utf8')) as { text: string }).text, file).policy.file, agent);
    } catch {
      /* an unreadable trusted policy: the strictest (default) sandbox */
    }
  }
  return SandboxSectionSchema.parse({});
}

/** Spawns and waits; the promise resolves with the exit code to pass on. */
export function runUnconfined(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(file, args, { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  return new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`gatehouse: cannot run ${file}: ${err.message}\n`);
      resolve(127);
    });
    child.on('exit', (c, s) => resolve(c ?? (s ? 128 + (s === 'SIGKILL' ? 9 : 15) : 1)));
  });
}

export async function runContained(r: ContainedRun): Promise<number> {
  const probe = probeSandbox(r.proxySocket !== null);
  if (!probe.ok) throw new CliError(`refused: no sandbox can be built here: ${probe.problem}`, EXIT_NO_SANDBOX);
  // A workspace of / would bind the whole root writable again.
  if (realpathSync(r.workspace) === '/') throw new CliError('refused: the workspace is / (run from a project directory or give --workspace DIR)', EXIT_NO_SANDBOX);
  const env = r.env ?? process.env;
  // A warm namespace that fails its check is not used: the cold path makes the sandbox its own.
  const entry = r.proxySocket && r.warm ? warmEntry(env) : null;
  const netns = entry ? openWarmNetns(r.warm, undefined, process.pid, entry) : null;
  const built = buildSandbox(r.argv, {
    section: r.section,
    workspace: r.workspace,
    stateDir: r.stateDir,
    configDir: dirname(defaultPolicyPath(env)),
    proxySocket: r.proxySocket,
    extraSockets: r.extraSockets ?? [],
    engineDoor: r.engineDoor ?? null,
    env,
    warm: netns ? { netns: netns.path, ...(netns.userPath ? { userns: netns.userPath } : {}) } : null,
  });
  const child = spawn(built.file, built.args, { stdio: 'inherit', env: built.env });
  let stoppedWhy: string | null = null;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  if (child.pid) r.onStarted?.((why) => {
    stoppedWhy = why;
    child.kill('SIGKILL');
  }, child.pid);
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`gatehouse: cannot start ${built.file}: ${err.message}\n`);
      resolve(EXIT_NO_SANDBOX);
    });
    child.on('exit', (c, s) => resolve(c ?? (s ? 128 + (s === 'SIGKILL' ? 9 : 15) : 1)));
  });
  netns?.close();
  if (stoppedWhy) {
    process.stderr.write(`gatehouse: sandbox stopped: ${stoppedWhy}\n`);
    return EXIT_NO_SANDBOX;
  }
  return code;
}
