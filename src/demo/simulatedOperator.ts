// The operator, played by the demo when nobody sits at a console (headless runs): it answers the
// firewall's asks and the tasks left to the operator as the scenario tables say, after a pause long
// enough to see them wait. Only the public REST API is used; it acts as `demo-operator`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prompt } from '../shared/firewall.js';
import type { Task } from '../shared/task.js';
import { RestError, type GatewayRest } from './gatewayRest.js';
import { FIREWALL_SCENES, TASK_SCENES } from './scenario.js';
import { DEMO_OPERATOR, describeRequest } from './simulatedGateway.js';

export interface SimulatedOperatorOptions {
  rest: GatewayRest;
  speed: number;
  say: (line: string) => void;
  signal: AbortSignal;
  /** How long something waits before the operator answers it (before --speed). */
  thinkMs?: number;
}

function promptSubject(p: Prompt): string {
  return p.command ?? (p.tool ? describeRequest({ tool: { server: p.tool.server, tool: p.tool.tool, args: p.tool.args } }) : '');
}

const ageMs = (iso: string) => Date.now() - Date.parse(iso);

export async function runSimulatedOperator(o: SimulatedOperatorOptions): Promise<void> {
  const { rest, say, signal } = o;
  const think = Math.round((o.thinkMs ?? 1500) / o.speed);
  const tolerate409 = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch (err) {
      // Someone else answered first (another console, the approver): first answer wins.
      if (err instanceof RestError && err.status === 409) return false;
      throw err;
    }
  };

  while (!signal.aborted) {
    await sleep(Math.max(20, Math.round(400 / o.speed)), undefined, { signal });
    for (const p of await rest.call<Prompt[]>('GET', '/api/prompts')) {
      if (p.state !== 'pending' || ageMs(p.created_at) < think) continue;
      const scene = FIREWALL_SCENES.find((s) => s.agent === p.agent && describeRequest(s.request) === promptSubject(p));
      if (!scene?.operator) continue;
      const { decision, reason } = scene.operator;
      if (await tolerate409(() => rest.call('POST', `/api/prompts/${p.id}/resolve`, { decision, scope: 'once', reason }, { actor: DEMO_OPERATOR })))
        say(`operator answers ${p.agent}'s ask "${promptSubject(p)}": ${decision} (${reason})`);
    }
    const waiting = await rest.call<{ tasks: Task[] }>('GET', '/api/queue/tasks?status=pending_approval&limit=100');
    for (const t of waiting.tasks) {
      if (ageMs(t.created_at) < think) continue;
      const answer = TASK_SCENES.find((s) => s.description === t.description)?.operator;
      if (!answer) continue;
      const reason = answer === 'approve' ? 'looks fine to me' : 'not worth it this month';
      if (await tolerate409(() => rest.call('POST', `/api/queue/${answer}/${t.task_id}`, { reason }, { actor: DEMO_OPERATOR })))
        say(`operator ${answer === 'approve' ? 'approves' : 'rejects'} ${t.task_id} "${t.description}": ${reason}`);
    }
  }
}
