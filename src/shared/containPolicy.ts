// The policy's `sandbox:` and `network:` sections (docs/containment.md, contract): one zod schema each, used by
// the firewall's policy schema (global and per agent) and by the containment room that enforces them.
import { z } from 'zod';

export const SANDBOX_MODES = ['on', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** The placeholder in `deny_read` for the engine's state directory. */
export const STATE_DIR_TOKEN = '<state dir>';
export const DEFAULT_DENY_READ = ['~/.ssh', '~/.aws', '~/.gnupg', '~/.netrc', '~/.config/gatehouse', STATE_DIR_TOKEN];

// YAML 1.1 readers turn a bare `on`/`off` into a boolean; accept both spellings.
const Mode = z.union([z.enum(SANDBOX_MODES), z.boolean().transform((b): SandboxMode => (b ? 'on' : 'off'))]);
const PathList = z.array(z.string().min(1, 'expected a non-empty path').max(4096));

export const SandboxSectionSchema = z.strictObject({
  mode: Mode.default('on'),
  /** Writable paths, relative to the workspace (or absolute, or ~/…); a private /tmp is always writable. */
  write: PathList.default(['.']),
  deny_read: PathList.default(DEFAULT_DENY_READ),
});
export type SandboxSection = z.output<typeof SandboxSectionSchema>;

/** `host`, `host:port`, `host:*`, `*.domain[:port]`, an IPv4 literal, or `[v6]:port`. */
const HOST_RULE = /^(\*\.)?[A-Za-z0-9*]([A-Za-z0-9*.-]{0,252})(:(\d{1,5}|\*))?$|^\[[0-9A-Fa-f:.]+\](:(\d{1,5}|\*))?$/;
export const HostRuleSchema = z
  .string()
  .max(260)
  .regex(HOST_RULE, 'expected host, host:port, *.domain[:port], an IP address or [IPv6]:port')
  .refine((r) => {
    const port = /:(\d{1,5})$/.exec(r)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, 'port must be 1-65535');

export const NETWORK_DEFAULTS = ['allow', 'deny', 'ask'] as const;
export const NetworkSectionSchema = z.strictObject({
  default: z.enum(NETWORK_DEFAULTS).default('ask'),
  allow: z.array(HostRuleSchema).default([]),
  deny: z.array(HostRuleSchema).default([]),
});
export type NetworkSection = z.output<typeof NetworkSectionSchema>;

/** An agent's override: its lists add to the global ones; a scalar given replaces the global one. */
export const AgentSandboxSchema = z.strictObject({
  mode: Mode.optional(),
  write: PathList.optional(),
  deny_read: PathList.optional(),
});
export const AgentNetworkSchema = z.strictObject({
  default: z.enum(NETWORK_DEFAULTS).optional(),
  allow: z.array(HostRuleSchema).default([]),
  deny: z.array(HostRuleSchema).default([]),
});
export type AgentSandbox = z.output<typeof AgentSandboxSchema>;
export type AgentNetwork = z.output<typeof AgentNetworkSchema>;

/** What a sandbox is built from, for one agent: the global section with the agent's override applied. */
export function sandboxFor(
  file: { sandbox: SandboxSection; agents: Record<string, { sandbox?: AgentSandbox | undefined }> },
  agent: string | null | undefined,
): SandboxSection {
  const o = agent ? file.agents[agent]?.sandbox : undefined;
  if (!o) return file.sandbox;
  return {
    mode: o.mode ?? file.sandbox.mode,
    write: [...file.sandbox.write, ...(o.write ?? [])],
    deny_read: [...file.sandbox.deny_read, ...(o.deny_read ?? [])],
  };
}

export function networkFor(
  file: { network: NetworkSection; agents: Record<string, { network?: AgentNetwork | undefined }> },
  agent: string | null | undefined,
): NetworkSection {
  const o = agent ? file.agents[agent]?.network : undefined;
  if (!o) return file.network;
  return { default: o.default ?? file.network.default, allow: [...file.network.allow, ...o.allow], deny: [...file.network.deny, ...o.deny] };
}

/** `contain.open`'s params (docs/ipc.md): who runs what where; `door` for `gatehouse sandbox`; `warm` when the
 * caller can enter a warm network namespace (it has nsenter and runs as root, or may enter the user namespace of
 * an engine of its own uid). */
export const ContainOpenSchema = z.object({
  agent: z.string().max(200).default('default'),
  command: z.string().max(100_000).optional(),
  task_id: z.string().max(128).optional(),
  cwd: z.string().max(4096).optional(),
  door: z.boolean().default(false),
  warm: z.boolean().default(false),
});
export type ContainOpen = z.output<typeof ContainOpenSchema>;

/** A warm network namespace handed to one run (single use): a process inside it and the namespace's inode,
 * which the caller checks on the file it opens before it enters (a reused pid or a lie fails closed). An engine
 * that is not root holds it in a user namespace of its own (`userns_ino`), which a caller of its uid enters first. */
export interface WarmNetwork {
  netns_pid: number;
  netns_ino: number;
  userns_ino?: number;
}

/** What a sandboxed run is told by the engine when it opens a containment session. */
export interface ContainSession {
  id: string;
  agent: string;
  /** The egress proxy's unix socket for this session (bridged into the namespace), or null for no network. */
  proxy_socket: string | null;
  /** The sandbox's own engine door (a restricted socket bound where gatehouse.sock is inside), when asked for. */
  engine_socket: string | null;
  sandbox: SandboxSection;
  state_dir: string;
  /** A warm network namespace whose proxy port leads to this session's proxy, when asked for and one was ready; else null. */
  warm_network?: WarmNetwork | null;
}

export interface NetworkDecision {
  decision: 'allow' | 'deny';
  /** The destination as asked (`host:port`). */
  destination: string;
  /** The address connected to, when allowed. */
  address: string | null;
  rule: string | null;
  source: 'policy' | 'operator' | 'grant' | 'timeout' | 'cache' | 'lockdown';
  reason: string;
  /** Denied because the name resolved to no address (a SOCKS client is told "host unreachable"). */
  unresolved?: true;
}
