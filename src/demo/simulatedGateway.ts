// The demo's stand-in for an agent gateway: it registers its agents, submits tasks and waits for their
// decision (long-poll), runs the approved ones while polling the abort signal, reports how they ended,
// and asks the firewall before every command and MCP tool call. Only the public REST API is used.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Decision } from '../shared/firewall.js';
import type { Task } from '../shared/task.js';
import { RestError, type GatewayRest } from './gatewayRest.js';
import { AGENT_SCENES, FIREWALL_SCENES, TASK_SCENES, type FirewallScene, type TaskScene } from './scenario.js';

export interface SimulatedGatewayOptions {
  rest: GatewayRest;
  /** Everything happens this many times faster than the tables say. */
  speed: number;
  say: (line: string) => void;
  signal: AbortSignal;
  /** Milliseconds between two task submissions and two firewall asks (before --speed). */
  taskEveryMs?: number;
  checkEveryMs?: number;
}

export interface SimulatedGateway {
  /** Resolves when every flow started so far has ended (call after aborting the signal). */
  settled(): Promise<void>;
}

/** The simulated operator acts under this name, so the ledger tells it from a human. */
export const DEMO_OPERATOR = 'demo-operator';

const usd = (n: number | null) => (n === null ? '—' : `$${n.toFixed(n < 0.1 ? 3 : 2)}`);
const ACTIVE = new Set(['pending', 'pending_approval']);

function isAbort(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError' || (err as { code?: string })?.code === 'ABORT_ERR';
}

export function describeRequest(r: FirewallScene['request']): string {
  return 'command' in r ? r.command : `${r.tool.server}/${r.tool.tool} ${JSON.stringify(r.tool.args)}`;
}

export function startSimulatedGateway(o: SimulatedGatewayOptions): SimulatedGateway {
  const { rest, say, signal } = o;
  const scaled = (ms: number) => Math.max(10, Math.round(ms / o.speed));
  const flows = new Set<Promise<void>>();

  const track = (what: string, flow: () => Promise<void>): void => {
    const p = flow().catch((err: unknown) => {
      if (isAbort(err) || signal.aborted) return;
      say(`${what}: ${(err as Error).message}`);
    });
    flows.add(p);
    void p.finally(() => flows.delete(p));
  };

  const runTask = async (scene: TaskScene): Promise<void> => {
    let task = await rest.call<Task>('POST', '/api/tasks', {
      task_type: scene.task_type,
      description: scene.description,
      estimated_cost: scene.estimated_cost,
      estimated_duration_ms: scene.run_ms,
      context: { demo: true, user: 'newcomer', project: 'gatehouse-demo' },
    });
    const id = task.task_id;
    say(`task ${id} ${scene.task_type} ${usd(scene.estimated_cost)} "${scene.description}" submitted`);
    while (ACTIVE.has(task.status)) task = await rest.call<Task>('GET', `/api/tasks/${id}?wait=30&status=${task.status}`);
    if (task.status !== 'approved') {
      say(`task ${id} ${task.status} by ${task.decided_by ?? '?'}: ${task.decision_reason ?? ''}`);
      return;
    }
    const limits = task.constraints.map((c) => `${c.type}=${c.value}`).join(' ');
    say(`task ${id} approved by ${task.decided_by ?? '?'}${limits ? ` (${limits})` : ''}: ${task.decision_reason ?? ''}`);
    await rest.call('POST', `/api/tasks/${id}/start`, { logs: [`demo gateway started ${scene.description}`] });
    say(`task ${id} running`);

    const ending = scene.ending;
    if (ending.kind === 'abort') {
      // The operator changing their mind; with a console open the human can press x first.
      track(`abort ${id}`, async () => {
        await sleep(scaled(scene.run_ms / 3), undefined, { signal });
        try {
          await rest.call('POST', `/api/queue/abort/${id}`, { reason: ending.reason }, { actor: DEMO_OPERATOR });
          say(`operator aborts ${id}: ${ending.reason}`);
        } catch (err) {
          if (!(err instanceof RestError && err.status === 409)) throw err;
        }
      });
    }

    const until = Date.now() + scaled(scene.run_ms);
    while (Date.now() < until) {
      await sleep(scaled(250), undefined, { signal });
      const sig = await rest.call<{ should_abort: boolean; reason: string | null }>('GET', `/api/tasks/${id}/abort-signal`);
      if (sig.should_abort) {
        say(`task ${id} stopped by the gateway: abort signal (${sig.reason ?? 'no reason given'})`);
        return;
      }
    }
    try {
      if (ending.kind === 'fail') {
        await rest.call('POST', `/api/tasks/${id}/fail`, { error_message: ending.error, actual_cost: ending.actual_cost });
        say(`task ${id} failed: ${ending.error} (spent ${usd(ending.actual_cost)})`);
      } else {
        const actual = ending.kind === 'complete' ? ending.actual_cost : scene.estimated_cost;
        await rest.call('POST', `/api/tasks/${id}/complete`, { actual_cost: actual, result: ending.kind === 'complete' ? ending.result : 'done' });
        say(`task ${id} completed, actual ${usd(actual)}`);
      }
    } catch (err) {
      // The engine ended it first (an operator abort or a broken constraint): say how.
      if (!(err instanceof RestError && err.status === 409)) throw err;
      const now = await rest.call<Task>('GET', `/api/tasks/${id}`);
      say(`task ${id} already ${now.status}: ${now.decision_reason ?? now.error_message ?? ''}`);
    }
  };

  const askFirewall = async (scene: FirewallScene): Promise<void> => {
    const what = describeRequest(scene.request);
    const d = await rest.call<Decision & { prompt_id?: string }>('POST', '/api/firewall/check', { ...scene.request, agent: scene.agent, cwd: scene.cwd, wait: true });
    say(`firewall ${scene.agent}: ${what} → ${d.decision} (${d.source}${d.rule ? `, rule "${d.rule}"` : ''}): ${d.reason}`);
  };

  const loop = async (everyMs: number, startAfterMs: number, step: (i: number) => void): Promise<void> => {
    await sleep(scaled(startAfterMs), undefined, { signal });
    for (let i = 0; !signal.aborted; i++) {
      step(i);
      await sleep(scaled(everyMs), undefined, { signal });
    }
  };

  track('agents', async () => {
    for (const a of AGENT_SCENES) {
      // Our own pid: the engine sees the agents alive exactly as long as the demo runs.
      await rest.call('POST', '/api/agents', { name: a.name, pid: process.pid, profile: a.profile });
      say(`agent ${a.name} registered (${a.profile})`);
    }
  });
  track('task loop', () =>
    loop(o.taskEveryMs ?? 700, 0, (i) => {
      const scene = TASK_SCENES[i % TASK_SCENES.length]!;
      track(`task "${scene.description}"`, () => runTask(scene));
    }),
  );
  track('firewall loop', () =>
    loop(o.checkEveryMs ?? 900, 300, (i) => {
      const scene = FIREWALL_SCENES[i % FIREWALL_SCENES.length]!;
      track(`firewall ${scene.agent}`, () => askFirewall(scene));
    }),
  );

  return {
    async settled() {
      while (flows.size) await Promise.allSettled([...flows]);
    },
  };
}
