// The bubblewrap sandbox (docs/containment.md), built as Anthropic's sandbox-runtime builds it on Linux: the root
// bound read-only, the workspace and a private /tmp writable, the deny_read paths hidden (an empty
// read-only tmpfs over a directory, /dev/null over a file), new PID, network, IPC and UTS namespaces, a
// new session (no TIOCSTI into the caller's terminal), and --die-with-parent. The only way out of the
// network namespace is the engine's egress proxy: its unix socket is bound in and socat bridges it to
// 127.0.0.1:3128 inside, where the proxy variables point. With a warm network namespace (warmNetwork.ts)
// the engine already listens on that port there (warmListener.ts): bwrap is started inside the namespace by
// nsenter and makes no network of its own, and no bridge runs.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { STATE_DIR_TOKEN, type SandboxSection } from '../../shared/containPolicy.js';

export const INSTALL_HINT = 'apt-get install bubblewrap socat';
/** The port socat listens on inside the namespace (the loopback there is the sandbox's own). */
export const PROXY_PORT = 3128;
/** Exit code when a sandbox cannot be built (bubblewrap missing, the kernel refuses namespaces). */
export const EXIT_NO_SANDBOX = 126;

/** Variables gatehouse holds secrets in: never passed into a sandbox. */
const SCRUBBED_ENV = /^(GATEHOUSE_API_TOKEN|APPROVAL_API_KEY|GATEHOUSE_.*(TOKEN|SECRET|KEY))$/i;
const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'];

export interface SandboxSpec {
  section: SandboxSection;
  workspace: string;
  stateDir: string;
  /** The config dir gatehouse reads its policy and config from (always hidden). */
  configDir?: string | null;
  /** The egress proxy's unix socket for this run; null: no network at all. */
  proxySocket: string | null;
  /** Unix sockets to bind in at their own paths. */
  extraSockets?: string[];
  /** `gatehouse sandbox`: the sandbox's own engine door (`from`), bound where the engine socket is (`to`). */
  engineDoor?: { from: string; to: string } | null;
  env: NodeJS.ProcessEnv;
  home?: string;
  /** How to wait for the bridge (default bridgeWait()); the bench compares both. */
  bridge?: 'coproc' | 'poll';
  /** A warm network namespace where the engine already listens on the proxy port: `netns` is the (verified) file
   * nsenter enters (after `userns`, the holder's user namespace, for a wrapper that is not root); bwrap then
   * unshares no network and neither the socket nor socat goes inside. */
  warm?: { netns: string; userns?: string } | null;
}

export interface BuiltSandbox {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function expand(p: string, spec: SandboxSpec): string {
  const home = spec.home ?? homedir();
  if (p === STATE_DIR_TOKEN) return spec.stateDir;
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(spec.workspace, p);
}

/** The path and, when it is a symlink or below one, the path it really is: both are hidden. */
function bothNames(p: string): string[] {
  try {
    const real = realpathSync(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}

/** The environment inside: gatehouse's secrets removed, the proxy variables set (or pointing nowhere). */
export function sandboxEnv(env: NodeJS.ProcessEnv, withProxy: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !SCRUBBED_ENV.test(k)) out[k] = v;
  // With no proxy there is no way out; the variables still point at the (closed) port so tools fail fast.
  const url = `http://127.0.0.1:${PROXY_PORT}`;
  for (const k of PROXY_ENV) out[k] = url;
  for (const k of ['NO_PROXY', 'no_proxy']) delete out[k];
  // SOCKS5 is served on the same port, but ALL_PROXY stays http://: httpx (the Python SDKs' client)
  // builds a transport for every proxy variable when a client is made and fails without socksio. A
  // SOCKS-only client is pointed here instead (e.g. `ALL_PROXY=$GATEHOUSE_SOCKS_PROXY tool`).
  out.GATEHOUSE_SOCKS_PROXY = `socks5h://127.0.0.1:${PROXY_PORT}`;
  out.GATEHOUSE_SANDBOX = withProxy ? 'proxy' : 'no-network';
  return out;
}

/** socat's read size on the bridge: its default 8 KiB costs about a third of bulk throughput (BENCHMARKS.md). */
export const BRIDGE_BUFFER = 262_144;

/** The bridge's socat as a shell command: listening on the proxy port in the namespace, each connection
 * to the proxy's unix socket (`socket` is a shell word: a quoted expansion such as `$1`). */
export function bridgeSocat(socket: string, verbose: boolean): string {
  return `socat ${verbose ? '-d -d ' : ''}-b ${BRIDGE_BUFFER} TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:${socket}"`;
}

// Inside: start the bridge and wait until it listens, then become the command. With bash (Debian's
// essential shell) socat runs as a coprocess and the shell blocks on its "listening" line: no polling,
// no forked sleeps. SIGPIPE is ignored for socat only (it logs each connection to a pipe nobody reads
// once the shell has become the command); the command gets the default back.
const BRIDGE_BASH = [
  "trap '' PIPE",
  `coproc GH_BRIDGE { exec ${bridgeSocat('$GATEHOUSE_PROXY_SOCKET', true)} </dev/null 2>&1; }`,
  'ok=',
  'while IFS= read -r -u "${GH_BRIDGE[0]}" line; do case $line in *" listening on "*) ok=1; break;; esac; done',
  'eval "exec ${GH_BRIDGE[0]}<&- ${GH_BRIDGE[1]}>&-"',
  'trap - PIPE',
  'unset GATEHOUSE_PROXY_SOCKET line',
  '[ -n "$ok" ] || { echo "gatehouse: the network bridge (socat) did not start" >&2; exit 126; }',
  'exec "$@"',
].join('\n');

// Without bash: poll /proc/net/tcp with builtins, a short sleep between looks giving socat the CPU.
const BRIDGE_POLL = [
  `${bridgeSocat('$GATEHOUSE_PROXY_SOCKET', false)} </dev/null >/dev/null 2>&1 &`,
  'i=0',
  'while [ $i -lt 2500 ]; do',
  `  while read -r _ l _ st _; do [ "$l" = "0100007F:${PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')}" ] && [ "$st" = 0A ] && break 2; done </proc/net/tcp`,
  '  sleep 0.002',
  '  i=$((i+1))',
  'done',
  'unset GATEHOUSE_PROXY_SOCKET',
  'exec "$@"',
].join('\n');

/** How the bridge's start is awaited: bash's coprocess read where bash is, else polling. */
export function bridgeWait(): 'coproc' | 'poll' {
  return existsSync('/bin/bash') ? 'coproc' : 'poll';
}

/** The bwrap command line for `argv` run in the sandbox the spec describes. */
export function buildSandbox(argv: string[], spec: SandboxSpec): BuiltSandbox {
  const warm = spec.proxySocket && spec.warm ? spec.warm : null;
  const a: string[] = ['--new-session', '--die-with-parent', '--unshare-pid', ...(warm ? [] : ['--unshare-net']), '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
  a.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  const workspace = bothNames(resolve(spec.workspace)).at(-1)!;
  const writable = new Set<string>([workspace]);
  for (const w of spec.section.write) {
    const p = expand(w, { ...spec, workspace });
    if (existsSync(p) && bothNames(p).at(-1) !== '/') writable.add(bothNames(p).at(-1)!);
  }
  for (const w of writable) a.push('--bind', w, w);
  const hidden = new Set<string>();
  for (const d of [...spec.section.deny_read, STATE_DIR_TOKEN]) for (const p of bothNames(expand(d, { ...spec, workspace }))) hidden.add(p);
  if (spec.configDir) for (const p of bothNames(spec.configDir)) hidden.add(p);
  const readOnly: string[] = [];
  for (const p of hidden) {
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // nothing there to hide
    }
    if (st.isDirectory()) {
      a.push('--tmpfs', p);
      readOnly.push(p);
    } else a.push('--ro-bind', '/dev/null', p);
  }
  // The sockets go in after the masks (a hidden state dir shows only them), then the masks turn read-only.
  for (const s of [...(spec.proxySocket && !warm ? [spec.proxySocket] : []), ...(spec.extraSockets ?? [])]) a.push('--bind', s, s);
  if (spec.engineDoor) a.push('--bind', spec.engineDoor.from, spec.engineDoor.to);
  for (const p of readOnly) a.push('--remount-ro', p);
  a.push('--chdir', resolve(spec.workspace));
  const env = sandboxEnv(spec.env, spec.proxySocket !== null);
  if (warm) {
    a.push('--', ...argv);
    // --preserve-credentials: the run keeps its uid (mapped to itself in the holder's user namespace).
    const user = warm.userns ? [`--user=${warm.userns}`, `--net=${warm.netns}`, '--preserve-credentials'] : [`--net=${warm.netns}`];
    return { file: 'nsenter', args: [...user, '--', 'bwrap', ...a], env };
  }
  if (spec.proxySocket) {
    env.GATEHOUSE_PROXY_SOCKET = spec.proxySocket;
    const wait = spec.bridge ?? bridgeWait();
    a.push('--', wait === 'coproc' ? '/bin/bash' : '/bin/sh', '-c', wait === 'coproc' ? BRIDGE_BASH : BRIDGE_POLL, 'gatehouse-sandbox', ...argv);
  } else {
    a.push('--', ...argv);
  }
  return { file: 'bwrap', args: a, env };
}

export interface SandboxProbe {
  ok: boolean;
  /** Why a sandbox cannot be built here, naming what to install. */
  problem: string | null;
}

let probed: SandboxProbe | null = null;

/** Whether bubblewrap and socat are installed and the kernel lets bubblewrap make its namespaces. */
export function probeSandbox(needSocat = true): SandboxProbe {
  if (probed && (probed.ok || !needSocat)) return probed;
  const has = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
  if (!has('bwrap')) return (probed = { ok: false, problem: `bubblewrap (bwrap) is not installed: ${INSTALL_HINT}, or set sandbox.mode: off in the policy to run unconfined` });
  if (needSocat && spawnSync('socat', ['-V'], { stdio: 'ignore' }).error !== undefined) return (probed = { ok: false, problem: `socat is not installed: ${INSTALL_HINT}` });
  const r = spawnSync('bwrap', ['--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', '/bin/true'], { encoding: 'utf8' });
  if (r.status !== 0) return (probed = { ok: false, problem: `the kernel refused bubblewrap's namespaces (${(r.stderr || '').trim() || `exit ${r.status}`}); enable unprivileged user namespaces or set sandbox.mode: off` });
  return (probed = { ok: true, problem: null });
}
