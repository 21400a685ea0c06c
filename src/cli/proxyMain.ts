// The MCP proxy behind `gatehouse proxy`: engine-backed decisions, pins, secret scanning, offline policy.
import { join } from 'node:path';
import pino from 'pino';
import type { ArgumentsCamelCase } from 'yargs';
import type { EngineClient } from '../client/engineClient.js';
import { connectEngine, connectTransport } from '../client/ipcClient.js';
import { clientOver } from '../client/rpcClient.js';
import type { AlertInput } from '../shared/alert.js';
import type { Decision, ToolCall } from '../shared/firewall.js';
import { resolveStateDir } from '../engine/store/stateDir.js';
import { JsonFilePinStore } from '../engine/proxy/pinStore.js';
import { runProxy } from '../engine/proxy/runProxy.js';
import { withOfflinePolicy } from '../engine/proxy/offlineDecider.js';
import { deniedToolPredicate } from '../engine/proxy/hideDenied.js';
import { readPolicyOffline } from '../engine/firewall/index.js';
import type { DecideFn, ProxyLogger } from '../engine/proxy/types.js';
import type { SecretScanner } from '../engine/proxy/responseScanner.js';
import { CliError } from './cliError.js';
import { escapeJsonText } from '../shared/text.js';
import { engineDecider, type ConnectLink } from '../engine/proxy/engineDecider.js';

export interface ProxyArgs {
  agent: string;
  serverName?: string;
  redact: boolean;
  hide?: string[];
  hideDenied: boolean;
  progressInterval: number;
  pins: boolean;
  logLevel: string;
  offlinePolicy?: string;
  config?: string;
  stateDir?: string;
  server?: string[];
  '--'?: string[];
}

// A waiting firewall check lasts as long as the operator takes: the engine's ask_ttl bounds it, not a call timeout.
// One connection carries every check at once; a cancelled call cancels its own check (and prompt).
const linkForProxy: ConnectLink = async ({ stateDir }) => {
  const t = await connectTransport({ stateDir, surface: 'ipc', callTimeoutMs: 0 });
  return {
    client: clientOver(t),
    isOpen: () => !t.socket.destroyed,
    check: (req, signal) => t.call('firewall.check', req, 0, signal) as Promise<Decision>,
  };
};
const connectForAlerts = (stateDir: string): Promise<EngineClient> => connectEngine({ stateDir, surface: 'ipc' });

async function loadSecretTools(): Promise<{ scanText?: SecretScanner; redact?: (t: string) => string }> {
  const mod = (await import('../engine/monitor/secrets.js')) as Record<string, unknown>;
  const out: { scanText?: SecretScanner; redact?: (t: string) => string } = {};
  if (typeof mod.findSecrets === 'function') {
    const find = mod.findSecrets as (text: string) => { rule: string; provider?: string; masked: string }[];
    out.scanText = (text) => find(text).map((f) => ({ kind: f.provider ? `${f.provider}:${f.rule}` : f.rule, excerpt: f.masked }));
  }
  if (typeof mod.maskSecrets === 'function') out.redact = mod.maskSecrets as (t: string) => string;
  return out;
}

function loadPolicy(path: string | undefined) {
  try {
    return readPolicyOffline(path);
  } catch (e) {
    throw new CliError(`gatehouse proxy: cannot read the policy${path ? ` ${path}` : ''}: ${(e as Error).message}`);
  }
}

export async function runProxyCommand(argv: ArgumentsCamelCase<ProxyArgs>): Promise<void> {
  const server = [...(argv.server ?? []), ...(argv['--'] ?? [])].map(String);
  const [command, ...args] = server;
  if (!command) throw new CliError('gatehouse proxy: give the server command after "--", e.g. gatehouse proxy --server-name fs -- npx -y @modelcontextprotocol/server-filesystem /tmp');
  if (!Number.isFinite(argv.progressInterval) || argv.progressInterval <= 0) {
    throw new CliError(`gatehouse proxy: --progress-interval must be a positive number of seconds, got ${argv.progressInterval}`);
  }
  const serverName = argv.serverName ?? command.split('/').pop()!;
  const stateDir = resolveStateDir(argv.stateDir);
  // Law 11: server and tool names come from outside; the log line escapes what JSON leaves raw (C1, bidi).
  const log: ProxyLogger = pino({ level: argv.logLevel, base: { pid: process.pid, server: serverName }, hooks: { streamWrite: escapeJsonText } }, pino.destination(2));
  const secretTools = await loadSecretTools();
  let pins: JsonFilePinStore | undefined;
  if (argv.pins) {
    try {
      pins = new JsonFilePinStore(join(stateDir, 'mcp-pins.json'));
    } catch (e) {
      throw new CliError(`gatehouse proxy: ${(e as Error).message}`);
    }
  }
  const hidden = new Set(argv.hide ?? []);
  const fromEngine = engineDecider(linkForProxy, stateDir, argv.agent, log, { pipelined: true });
  fromEngine.warm();
  let decide: DecideFn = fromEngine;
  const policy = argv.offlinePolicy !== undefined || argv.hideDenied ? loadPolicy(argv.offlinePolicy) : undefined;
  if (policy && argv.offlinePolicy !== undefined) {
    // Like the hook's offline path: the engine's lockdown marker and law 10 come before the offline policy
    // (loaded only here: it reads the config, which a proxy without an offline policy never needs).
    const { offlineToolGuard, reportOffline } = await import('./offlinePolicy.js');
    const spool = (call: ToolCall, d: Decision) => reportOffline(stateDir, 'proxy', argv.agent, `${call.server}/${call.tool} ${JSON.stringify(call.args ?? {}).slice(0, 500)}`, d, d.decision === 'allow', policy.sha256 ?? null);
    decide = withOfflinePolicy(decide, policy.policy, policy.source, argv.agent, (e) => log.warn({ err: e.message }, 'engine unreachable: using the offline policy'), offlineToolGuard(stateDir, argv.config), spool);
  }
  const deniedByPolicy = policy && argv.hideDenied ? deniedToolPredicate(policy.policy, serverName, argv.agent) : undefined;
  const onAlert = (a: AlertInput) => {
    log.warn({ alert: a }, `alert ${a.severity} ${a.source}/${a.check}: ${a.message}`);
    // Best effort: the alert is already on stderr; the engine stores it and shows it to the operator.
    void connectForAlerts(stateDir)
      .then(async (c) => {
        try {
          await c.alerts.raise(a);
        } finally {
          await c.close();
        }
      })
      .catch((e: Error) => log.warn({ err: e.message }, 'could not forward the alert to the engine'));
  };
  const result = await runProxy({
    command,
    args,
    input: process.stdin,
    output: process.stdout,
    serverName,
    agent: argv.agent,
    decide,
    onAlert,
    ...secretTools,
    redactSecrets: argv.redact,
    redactInjection: argv.redact,
    ...(pins ? { pins } : {}),
    ...(hidden.size || deniedByPolicy ? { hideTool: (n: string, a?: ToolCall['annotations']) => hidden.has(n) || (deniedByPolicy?.(n, a) ?? false) } : {}),
    logger: log,
    progressIntervalMs: argv.progressInterval * 1000,
    forwardSignals: true,
  });
  fromEngine.close();
  process.exit(result.exitCode);
}
