// `gatehouse demo`: a throwaway engine (marked DEMO) with the console or headless log lines, a demo
// approver that answers, slows down, fails and recovers, a simulated gateway driving the REST API,
// and the security drill. Nothing of the user's own gatehouse is read or written: the state dir is
// fresh (or one the demo made before) and the config home, hence the policy, lives inside it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueStatus } from '../shared/task.js';
import { gatewayRest, type GatewayRest } from './gatewayRest.js';
import { layoutSecurityDrill, type SecurityDrill } from './securityDrill.js';
import { startSimulatedGateway } from './simulatedGateway.js';
import { runSimulatedOperator } from './simulatedOperator.js';

export interface DemoOptions {
  /** Keep the demo's state here (and leave it after the run); default: a temp dir removed at the end. */
  stateDir?: string | undefined;
  tui: boolean;
  speed: number;
  /** Stop after this many seconds (default: until ctrl-c / q). */
  durationS?: number | undefined;
  /** Run the demo approver (off: the budget rules and the operator decide every task). */
  approver: boolean;
  readonly: boolean;
  /** REST API port (default: any free port). */
  port?: number | undefined;
}

export class DemoStateError extends Error {}

/** Marks a state dir as the demo's own, so a later `demo --state-dir` may reuse it. */
const MARKER = 'gatehouse-demo';

/** Refuses a state dir that holds a real gatehouse's state: the demo never writes into one. */
export function prepareDemoStateDir(given: string | undefined): { dir: string; keep: boolean } {
  if (!given) return { dir: mkdtempSync(join(tmpdir(), 'gatehouse-demo-')), keep: false };
  const dir = resolve(given);
  if (existsSync(join(dir, 'gatehouse.db')) && !existsSync(join(dir, MARKER))) {
    throw new DemoStateError(`${dir} holds a gatehouse state that the demo did not make; give an empty or new directory to --state-dir`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { dir, keep: true };
}

/** Environment the demo engine must not see: a real approver, token, config, policy or gateway. */
function isolateEnvironment(configHome: string): void {
  for (const key of Object.keys(process.env)) {
    if (/^(APPROVAL_|GATEHOUSE_|OPENCLAW_)/.test(key)) delete process.env[key];
  }
  process.env.XDG_CONFIG_HOME = configHome;
}

/**
 * The demo approver's life, shortened so a link change shows within seconds. Answering lasts a little
 * longer so that a slow engine start on a loaded machine still leaves time for its answers.
 */
function approverScript(speed: number) {
  const s = (ms: number) => Math.max(50, Math.round(ms / speed));
  return {
    script: [
      { phase: 'answering' as const, ms: s(5_000) },
      { phase: 'slow' as const, ms: s(3_000) },
      { phase: 'failing' as const, ms: s(3_000) },
      { phase: 'down' as const, ms: s(5_000) },
    ],
    slowMs: s(2_500),
    config: { timeout_ms: s(800), health_interval_ms: s(1_000), abort_poll_interval_ms: s(1_000) },
  };
}

function demoConfig(approverUrl: string | null, speed: number, monitor: Record<string, unknown>): Record<string, unknown> {
  const timing = approverScript(speed).config;
  return {
    api: { port: 0 },
    budget: { per_task: { batch: 5 }, auto_approve_below_usd: 0.05 },
    monitor,
    ...(approverUrl
      ? {
          approval: {
            enabled: true,
            assistant_url: approverUrl,
            ...timing,
            fallback_after_failures: 2,
            retry_policy: { max_attempts: 2, initial_delay_ms: 100 },
          },
        }
      : {}),
  };
}

const stamp = () => new Date().toISOString().slice(11, 19);

export async function runDemo(o: DemoOptions): Promise<void> {
  const { dir: stateDir, keep } = prepareDemoStateDir(o.stateDir);
  writeFileSync(join(stateDir, MARKER), 'made by gatehouse demo\n', { mode: 0o600 });
  const configHome = join(stateDir, 'demo-config');
  const configFile = join(configHome, 'gatehouse', 'config.json');
  mkdirSync(join(configHome, 'gatehouse'), { recursive: true, mode: 0o700 });
  isolateEnvironment(configHome);
  const say = o.tui ? () => {} : (line: string) => process.stdout.write(`${stamp()} demo  ${line}\n`);
  const speed = o.speed;

  const [{ Engine, localActor }, { engineDoors }, { statePath }] = await Promise.all([
    import('../engine/engine.js'),
    import('../cli/engineProcess.js'),
    import('../engine/store/stateDir.js'),
  ]);
  // The approver starts first: the engine's link checks its health from the moment it starts.
  let approver: { url: string; stop(): Promise<void> } | null = null;
  if (o.approver) {
    const { startDemoApprover } = await import('../engine/approver/demoApprover.js');
    const t = approverScript(speed);
    approver = await startDemoApprover({ script: t.script, slowMs: t.slowMs, onPhase: (phase) => say(`approver is now ${phase}`) });
  }
  const drill = layoutSecurityDrill(join(stateDir, 'demo-gateway'));
  writeFileSync(configFile, JSON.stringify(demoConfig(approver?.url ?? null, speed, drill.monitor), null, 2), { mode: 0o600 });

  // Engine logs go to the state dir's logs/ only: headless, the demo's own lines tell the story.
  const engine = await Engine.start({ stateDir, configFlag: configFile, demo: true, logStdout: null, env: process.env, ...(o.port !== undefined ? { port: o.port } : {}) }, engineDoors).catch(
    async (err: unknown) => {
      await approver?.stop();
      throw err;
    },
  );
  const api = engine.apiAddress;
  if (!api) throw new DemoStateError('the demo engine opened no REST API');
  const baseUrl = `http://${api.host}:${api.port}`;
  // The gateway reads the token from the state dir, as a real gateway on this host would.
  const token = readFileSync(statePath(stateDir, 'apiToken'), 'utf8').trim();
  say(`engine at ${baseUrl}, state in ${stateDir}${approver ? `, approver at ${approver.url}` : ', no approver (budget rules and the operator decide)'}`);

  const stopGateway = new AbortController();
  const { signal } = stopGateway;
  const rest = gatewayRest(baseUrl, token, signal, 'demo-gateway');
  const gateway = startSimulatedGateway({ rest, speed, say, signal });
  const sideJobs: Array<Promise<unknown>> = [];
  const quietly = (p: Promise<unknown>) => sideJobs.push(p.catch((err: unknown) => signal.aborted || say(`demo: ${(err as Error).message}`)));
  if (!o.tui) quietly(runSimulatedOperator({ rest, speed, say, signal }));
  quietly(runSecurityDrill(drill, speed, signal, say));
  if (approver && !o.tui) quietly(narrateLink(rest, speed, signal, say));

  let ended: () => void = () => {};
  const ending = new Promise<void>((r) => (ended = r));
  const timer = o.durationS !== undefined ? setTimeout(() => ended(), o.durationS * 1000) : null;
  if (o.tui) {
    const { openConsole } = await import('../cli/openConsole.js');
    const { inProcessClient } = await import('../client/inProcessClient.js');
    // The console quits on its own keys and on SIGTERM; --duration ends it the same way.
    void ending.then(() => process.kill(process.pid, 'SIGTERM'));
    await openConsole({ client: inProcessClient(engine, localActor('tui')), readonly: o.readonly, demo: true, hosting: true });
  } else {
    let signals = 0;
    const onSignal = () => (++signals > 1 ? process.exit(130) : ended());
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    await Promise.race([ending, engine.stopped]);
  }
  if (timer) clearTimeout(timer);

  if (!o.tui) {
    const status = await rest.call<QueueStatus>('GET', '/api/queue/status').catch(() => null);
    if (status) say(`summary: ${Object.entries(status.by_status).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  stopGateway.abort();
  await engine.stop('demo finished');
  await approver?.stop();
  await gateway.settled();
  await Promise.allSettled(sideJobs);
  if (keep) say(`state kept in ${stateDir} (try: gatehouse --state-dir ${stateDir} ledger verify)`);
  else rmSync(stateDir, { recursive: true, force: true });
}

/** A tampered core file, then an access-log attack burst; the engine's monitor raises the alerts. */
async function runSecurityDrill(drill: SecurityDrill, speed: number, signal: AbortSignal, say: (l: string) => void): Promise<void> {
  await sleep(Math.round(2_500 / speed), undefined, { signal });
  drill.tamperCoreFile();
  say('soul.md tampered: the integrity monitor raises the alert');
  await sleep(Math.round(1_000 / speed), undefined, { signal });
  drill.attackBurst();
  say('attack burst appended to the access log: the access-log audit raises the alerts');
}

/** Says each change of the approver link, as the console header shows it. */
async function narrateLink(rest: GatewayRest, speed: number, signal: AbortSignal, say: (l: string) => void): Promise<void> {
  let last = 'online';
  while (!signal.aborted) {
    await sleep(Math.max(20, Math.round(250 / speed)), undefined, { signal });
    const h = await rest.call<{ approval_system: { state: string } }>('GET', '/api/approval/health');
    if (h.approval_system.state !== last) say(`approver link ${last} → ${h.approval_system.state}`);
    last = h.approval_system.state;
  }
}

