// The engine's method table: one place that maps a method name and its params to an engine operation.
// The socket (JSON-RPC) and the in-process console client both dispatch through it.
import { z } from 'zod';
import { AgentRegisterSchema } from '../../shared/agent.js';
import { AlertInputSchema, AlertQuerySchema, type AlertInput } from '../../shared/alert.js';
import { ContainOpenSchema } from '../../shared/containPolicy.js';
import { PromptResolveSchema } from '../../shared/firewall.js';
import { EngineError } from '../../shared/errors.js';
import type { LedgerSelect } from '../../shared/ledger.js';
import { TaskIdSchema, TaskListQuerySchema, TaskSubmitSchema } from '../../shared/taskSchemas.js';
import { listAgents, showAgent } from './agentsView.js';
import { guardStats } from './guardStats.js';
import type { EngineSurface } from './engineSurface.js';
import type { Actor } from '../tasks/queue.js';
import { attachedConsoleCount } from './attachedConsoles.js';

export interface CallContext {
  actor: Actor;
  /** Aborted when the caller goes away (its connection closed) or cancels this call. */
  signal?: AbortSignal;
  /** Aborted when the caller's connection closes, even after this call has answered (what a session lives by). */
  connection?: AbortSignal;
  /** Opens an agent's door at a path (the engine socket's door gives it; a sandbox's door does not). */
  agentDoor?: (path: string, agent: string) => Promise<() => Promise<void>>;
}

export type Method = (engine: EngineSurface, params: unknown, ctx: CallContext) => unknown;

export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    throw new EngineError(
      'invalid params',
      'bad_request',
      r.error.issues.map((i) => ({ path: i.path.join('.') || '(params)', message: i.message })),
    );
  }
  return r.data;
}

const Id = z.object({ id: TaskIdSchema });
const IdReason = z.object({ id: TaskIdSchema, reason: z.string().max(10_000).optional() });
const IdBody = z.object({ id: TaskIdSchema }).passthrough();

const methods = new Map<string, Method>();

export function defineMethod(name: string, m: Method): void {
  methods.set(name, m);
}

export function findMethod(name: string): Method | undefined {
  return methods.get(name);
}

defineMethod('status', (e) => e.status());
// Consoles attached over the socket (the console hosting the engine in its process is not one of them).
defineMethod('consoles.attached', (e) => ({ count: attachedConsoleCount(e) }));
defineMethod('reload', (e, _p, ctx) => e.reload(ctx.actor));
defineMethod('tasks.submit', (e, p, ctx) => e.submitTaskGrouped(parseParams(TaskSubmitSchema, p), ctx.actor));
defineMethod('tasks.list', (e, p) => e.queue.list(parseParams(TaskListQuerySchema, p)));
defineMethod('tasks.get', (e, p) => e.queue.detail(parseParams(Id, p).id));
defineMethod('tasks.approve', (e, p, ctx) => {
  const { id, reason } = parseParams(IdReason, p);
  return e.approve(id, ctx.actor, reason);
});
defineMethod('tasks.reject', (e, p, ctx) => {
  const { id, reason } = parseParams(IdReason, p);
  return e.reject(id, ctx.actor, reason);
});
defineMethod('tasks.abort', (e, p, ctx) => {
  const { id, reason } = parseParams(IdReason, p);
  return e.abort(id, ctx.actor, reason);
});
defineMethod('tasks.start', (e, p, ctx) => e.start(parseParams(Id, p).id, ctx.actor));
defineMethod('tasks.complete', (e, p, ctx) => {
  const { id, ...body } = parseParams(IdBody, p);
  return e.complete(id, ctx.actor, body);
});
defineMethod('tasks.fail', (e, p, ctx) => {
  const { id, ...body } = parseParams(IdBody, p);
  return e.fail(id, ctx.actor, body);
});
defineMethod('alerts.list', (e, p) => e.alerts.list(parseParams(AlertQuerySchema, p)));
defineMethod('alerts.ack', (e, p, ctx) => {
  const { id, reason } = parseParams(z.object({ id: z.string().max(64), reason: z.string().max(10_000).optional() }), p);
  return e.alerts.ack(id, ctx.actor.by, ctx.actor.surface, reason);
});
defineMethod('alerts.raise', (e, p) => {
  const a = parseParams(AlertInputSchema, p);
  return e.raiseAlert({ ...a, ...(a.evidence ? { evidence: a.evidence } : {}) } as AlertInput);
});
defineMethod('security.status', (e) => e.security.status());
defineMethod('security.scan', (e) => ({ findings: e.security.scanNow() }));
defineMethod('security.ack', (e, p, ctx) => {
  const { path, reason } = parseParams(z.object({ path: z.string().min(1).max(4096), reason: z.string().min(1).max(10_000) }), p);
  return e.security.ack(path, ctx.actor.by, reason);
});
defineMethod('ledger.recent', (e, p) => {
  const { limit, ...select } = parseParams(z.object({ limit: z.number().int().min(1).max(1000).default(100), kind: z.string().min(1).max(100).optional(), agent: z.string().min(1).max(200).optional(), since: z.iso.datetime({ offset: true }).optional() }), p);
  return e.ledger.recent(limit, select as LedgerSelect);
});
defineMethod('firewall.check', (e, p, ctx) => e.firewall.check(p as never, ctx.actor, ctx.signal ? { signal: ctx.signal } : {}));
defineMethod('prompts.list', (e) => e.prompts.pending());
defineMethod('prompts.recent', (e, p) => e.prompts.recent(parseParams(z.object({ limit: z.number().int().min(1).max(500).default(50) }), p).limit));
defineMethod('prompts.resolve', (e, p, ctx) => {
  const { id, ...answer } = parseParams(PromptResolveSchema.extend({ id: z.string().min(1).max(100) }), p);
  return e.firewall.resolve(id, answer, ctx.actor);
});
defineMethod('prompts.cancel', (e, p) => {
  const { id, reason } = parseParams(z.object({ id: z.string().min(1).max(100), reason: z.string().max(1000).default('cancelled by the requester') }), p);
  e.prompts.cancel(id, reason);
  return e.prompts.get(id);
});
defineMethod('agents.register', (e, p, ctx) => e.agents.register(parseParams(AgentRegisterSchema, p), ctx.actor));
defineMethod('agents.deregister', (e, p, ctx) => e.agents.deregister(parseParams(z.object({ name: z.string().max(64) }), p).name, ctx.actor));
defineMethod('agents.list', (e) => listAgents(e));
defineMethod('agents.show', (e, p) => showAgent(e, parseParams(z.object({ name: z.string().max(64) }), p).name));
defineMethod('agents.baseline_reset', (e, p, ctx) => {
  const { name } = parseParams(z.object({ name: z.string().max(64) }), p);
  if (!e.agents.list().some((a) => a.name === name)) throw new EngineError(`no agent ${name}`, 'not_found');
  e.sensors.resetBaseline(name, ctx.actor.by);
  return { ok: true };
});
// What the guard watched and stopped, and each agent's health (docs/ipc.md).
defineMethod('guard.stats', (e) => guardStats(e));
defineMethod('policy.diff', (e) => e.guard.diff());
/** A trust request names the text the operator reviewed by its sha256 (law 8); the engine trusts only that text. */
export const PolicyTrustSchema = z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'the sha256 (64 hex digits) of the policy text you reviewed') }).strict();
defineMethod('policy.trust', (e, p, ctx) => ({ policy_hash: e.guard.trustReviewed(ctx.actor.by, parseParams(PolicyTrustSchema, p).sha256).sha256 }));
defineMethod('policy.status', (e) => ({ path: e.guard.policyPath, ...e.status().firewall }));
// The approval assistant (issue 8): advisory briefs and chat; failures come back as values.
const SubjectId = z.string().min(1).max(100);
const Model = z.string().min(1).max(200).optional();
defineMethod('assistant.brief', (e, p, ctx) => {
  const { id, wait, refresh, model } = parseParams(z.object({ id: SubjectId, wait: z.boolean().default(false), refresh: z.boolean().default(false), model: Model }), p);
  return e.assistant.brief(id, { wait, refresh, ...(model ? { model } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
});
defineMethod('assistant.status', (e) => e.assistant.status());
defineMethod('assistant.history', (e, p) => e.assistant.history(parseParams(z.object({ id: SubjectId }), p).id));
defineMethod('assistant.ask', (e, p, ctx) => {
  const { id, question, model } = parseParams(z.object({ id: SubjectId, question: z.string().min(1).max(4000), model: Model }), p);
  // A whole answer over the socket; tokens are not streamed to the client.
  return e.assistant.chat(id, question, () => {}, { ...(model ? { model } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
});
// Containment (docs/containment.md): a sandboxed run's session, held open by the connection that opened it.
defineMethod('contain.open', (e, p, ctx) => {
  const req = parseParams(ContainOpenSchema, p);
  if (req.door && !ctx.agentDoor) throw new EngineError('an agent door is opened over the engine socket only', 'bad_request');
  return e.contain.open(req, ctx.connection, req.door ? (path) => ctx.agentDoor!(path, req.agent) : undefined);
});
defineMethod('contain.status', (e) => e.contain.status());
