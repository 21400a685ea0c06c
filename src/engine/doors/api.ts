// The REST API (docs/rest-api.md, contract) on fastify, bound to 127.0.0.1 by default. Every endpoint but
// GET /health needs the bearer token. Responses are {success, timestamp, data}; errors {success:false, error, details}.
import { StartupError, portHolder, portInUseMessage } from './portHolder.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentRegisterSchema } from '../../shared/agent.js';
import { AlertQuerySchema } from '../../shared/alert.js';
import { PromptResolveSchema } from '../../shared/firewall.js';
import { EngineError, HTTP_STATUS } from '../../shared/errors.js';
import { TASK_STATUSES, type Task, type TaskStatus } from '../../shared/task.js';
import { executionConfigOf } from '../approver/approvals.js';
import type { ExecutionConfig } from '../approver/constraints.js';
import { ReasonBodySchema, TaskIdSchema, TaskListQuerySchema, TaskStartSchema } from '../../shared/taskSchemas.js';
import { VERSION } from '../../shared/version.js';
import { tokenMatches } from './apiToken.js';
import { listAgents } from './agentsView.js';
import type { Door, EngineSurface } from './engineSurface.js';
import { renderMetrics } from './metrics.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../platform/jsonDepth.js';
import { PolicyTrustSchema } from './rpcMethods.js';
import type { Actor } from '../tasks/queue.js';

export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;
const CONNECTION_CHECK_MS = 1_000;
/** Open REST connections at most; one more gets a 503 naming the limit and is closed. */
export const MAX_REST_CONNECTIONS = 512;

function capConnections(app: FastifyInstance, max: number): void {
  let open = 0;
  app.server.prependListener('connection', (socket: import('node:net').Socket) => {
    if (open >= max) {
      const body = JSON.stringify({ success: false, error: `gatehouse refuses the connection: ${max} connections are open already` });
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}

/** Extra routes contributed by other capabilities (firewall, prompts, security). */
export type RouteContributor = (app: FastifyInstance, engine: EngineSurface, helpers: ApiHelpers) => void;

export interface ApiHelpers {
  ok: (reply: FastifyReply, data: unknown, code?: number) => FastifyReply;
  parse: <S extends z.ZodType>(schema: S, value: unknown, what: string) => z.output<S>;
  actor: (req: FastifyRequest) => Actor;
}

const contributors: RouteContributor[] = [];
export function contributeRoutes(c: RouteContributor): void {
  contributors.push(c);
}

function ok(reply: FastifyReply, data: unknown, code = 200): FastifyReply {
  return reply.code(code).send({ success: true, timestamp: new Date().toISOString(), data });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new EngineError(
      `invalid ${what}`,
      'bad_request',
      r.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    );
  }
  return r.data;
}

function actor(req: FastifyRequest): Actor {
  const name = req.headers['x-gatehouse-actor'];
  return { by: typeof name === 'string' && /^[\w.@-]{1,64}$/.test(name) ? name : 'api', surface: 'rest' };
}

const IdParams = z.object({ id: TaskIdSchema });

/**
 * The :id of a task route. The id alone goes through the id schema (a string check is a third of
 * the cost of an object parse, and this is on every task read); a refused id is parsed again as
 * params, so the 400 names the field exactly as before.
 */
function taskIdParam(req: FastifyRequest): string {
  const id = TaskIdSchema.safeParse((req.params as { id?: unknown }).id);
  return id.success ? id.data : parse(IdParams, req.params, 'task id').id;
}

function hasKeys(o: unknown): boolean {
  if (typeof o !== 'object' || o === null) return o !== undefined;
  for (const _ in o) return true;
  return false;
}

/** The gateway reads the config to run the task under: what it asked for, tightened by the constraints. */
function withExecutionConfig<T extends Task>(task: T): T & { execution_config: ExecutionConfig } {
  return { ...task, execution_config: executionConfigOf(task) };
}
const WaitQuery = z.object({
  wait: z.coerce.number().min(0).max(3600).optional(),
  status: z.enum(TASK_STATUSES).optional(),
});

export function buildApi(engine: EngineSurface): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: engine.config.api.body_limit_bytes,
    return503OnClosing: true,
    forceCloseConnections: true,
    // A body dripped a byte at a time is cut off (issue 22 gap 11); long-polls wait on the response, not this.
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Node checks those deadlines every connectionsCheckingInterval (30 s by default, so a slow body
    // could last up to 60 s): checked each second, the deadline is the one stated.
    http: { connectionsCheckingInterval: CONNECTION_CHECK_MS },
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  capConnections(app, MAX_REST_CONNECTIONS);
  // JSON bodies: nesting is refused by a scan before the parser walks it (a 400, never a 500).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(new EngineError(`invalid body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, 'bad_request'), undefined);
    try {
      done(null, JSON.parse(text, (k, v: unknown) => (k === '__proto__' || k === 'constructor' ? undefined : v)));
    } catch (err) {
      done(new EngineError(`invalid body: ${(err as Error).message}`, 'bad_request'), undefined);
    }
  });
  const helpers: ApiHelpers = { ok, parse, actor };

  // Callback style, not async: this runs on every request, and an async hook costs a promise and a
  // microtask turn each time. A refused request is answered here and never reaches its route.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.url === '/health' && req.method === 'GET') return done();
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const header = req.headers['x-auth-token'];
    const given = bearer ?? (typeof header === 'string' ? header : undefined);
    if (!tokenMatches(given, engine.token)) {
      reply.code(401).header('www-authenticate', 'Bearer').send({ success: false, error: 'unauthorized: send Authorization: Bearer <token> or X-Auth-Token', details: null });
      return;
    }
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (err instanceof EngineError) {
      return reply.code(HTTP_STATUS[err.code]).send({ success: false, error: err.message, details: err.details ?? null });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) engine.logger.error({ err, url: req.url }, 'REST handler failed');
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `body too large (limit ${engine.config.api.body_limit_bytes} bytes)`
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported content type: send application/json'
          : status === 400
            ? `malformed request: ${err.message}`
            : status === 500
              ? 'internal error'
              : err.message;
    return reply.code(status).send({ success: false, error: message, details: null });
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ success: false, error: `no route ${req.method} ${req.url.split('?')[0]}`, details: null }));

  app.get('/health', async () => ({ status: engine.isStopping ? 'stopping' : 'ok', version: VERSION }));

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(renderMetrics(engine.status())));

  app.post('/api/tasks', async (req, reply) => ok(reply, await engine.submitTaskGrouped(req.body as never, actor(req)), 201));

  app.get('/api/tasks/:id', async (req, reply) => {
    const id = taskIdParam(req);
    // With no query string at all the parse can only give {}: skip it on the plain read.
    const q = hasKeys(req.query) ? parse(WaitQuery, req.query, 'query') : {};
    const task = engine.queue.require(id);
    if (!q.wait) return ok(reply, withExecutionConfig(task));
    const seen: TaskStatus = q.status ?? task.status;
    const ms = Math.min(q.wait, engine.config.api.max_wait_seconds) * 1000;
    return ok(reply, withExecutionConfig(await engine.waitForChange(id, seen, ms)));
  });

  app.post('/api/tasks/:id/start', async (req, reply) => {
    const id = taskIdParam(req);
    const body = parse(TaskStartSchema, req.body ?? {}, 'body');
    return ok(reply, engine.start(id, actor(req), body.logs));
  });
  app.post('/api/tasks/:id/complete', async (req, reply) => ok(reply, engine.complete(taskIdParam(req), actor(req), req.body)));
  app.post('/api/tasks/:id/fail', async (req, reply) => ok(reply, engine.fail(taskIdParam(req), actor(req), req.body)));
  app.get('/api/tasks/:id/abort-signal', async (req, reply) => ok(reply, engine.abortSignal(taskIdParam(req))));

  app.get('/api/queue/status', async (_req, reply) => ok(reply, engine.queue.status()));
  app.get('/api/queue/tasks', async (req, reply) => {
    const q = parse(TaskListQuerySchema, req.query, 'query');
    const page = engine.queue.list(q);
    return ok(reply, { ...page, limit: q.limit, offset: q.offset });
  });
  app.get('/api/queue/task/:id', async (req, reply) => {
    const id = taskIdParam(req);
    return ok(reply, { ...withExecutionConfig(engine.queue.detail(id)), assistant: engine.assistant.info(id) });
  });

  for (const action of ['approve', 'reject', 'abort'] as const) {
    app.post(`/api/queue/${action}/:id`, async (req, reply) => {
      const id = taskIdParam(req);
      const { reason } = parse(ReasonBodySchema, req.body ?? {}, 'body');
      return ok(reply, engine[action](id, actor(req), reason));
    });
  }

  app.get('/api/approval/health', async (_req, reply) => {
    const s = engine.status().approver;
    return ok(reply, { approval_system: { healthy: s.state === 'online', fallback_mode: s.state === 'fallback', assistant_url: s.url, state: s.state } });
  });

  app.get('/api/security/status', async (_req, reply) => ok(reply, engine.security.status()));
  app.post('/api/alerts/:id/ack', async (req, reply) => {
    const { id } = parse(z.object({ id: z.string().min(1).max(64) }), req.params, 'alert id');
    const { reason } = parse(ReasonBodySchema, req.body ?? {}, 'body');
    const who = actor(req);
    return ok(reply, engine.alerts.ack(id, who.by, who.surface, reason));
  });
  app.get('/api/alerts', async (req, reply) => ok(reply, engine.alerts.list(parse(AlertQuerySchema, req.query, 'query'))));

  app.post('/api/firewall/check', async (req, reply) => {
    // The response closing before it finished means the requester went away: cancel its prompt.
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    return ok(reply, await engine.firewall.check(req.body as never, actor(req), { signal: gone.signal }));
  });
  app.get('/api/firewall/policy', async (_req, reply) => ok(reply, { path: engine.guard.policyPath, ...engine.status().firewall, ...engine.guard.diff() }));
  app.post('/api/firewall/policy/trust', async (req, reply) => {
    const { sha256 } = parse(PolicyTrustSchema, req.body ?? {}, 'body');
    return ok(reply, { policy_hash: engine.guard.trustReviewed(actor(req).by, sha256).sha256 });
  });
  app.get('/api/prompts', async (_req, reply) => ok(reply, engine.prompts.pending()));
  app.get('/api/prompts/:id', async (req, reply) => {
    const { id } = parse(z.object({ id: z.string().min(1).max(100) }), req.params, 'prompt id');
    return ok(reply, { ...engine.prompts.get(id), assistant: engine.assistant.info(id) });
  });
  app.post('/api/prompts/:id/resolve', async (req, reply) => {
    const { id } = parse(z.object({ id: z.string().min(1).max(100) }), req.params, 'prompt id');
    const answer = parse(PromptResolveSchema, req.body ?? {}, 'body');
    return ok(reply, engine.firewall.resolve(id, answer, actor(req)));
  });
  app.get('/api/agents', async (_req, reply) => ok(reply, listAgents(engine)));
  app.post('/api/agents', async (req, reply) => ok(reply, engine.agents.register(parse(AgentRegisterSchema, req.body ?? {}, 'agent'), actor(req)), 201));
  app.delete('/api/agents/:name', async (req, reply) => {
    const { name } = parse(z.object({ name: z.string().max(64) }), req.params, 'agent name');
    const a = engine.agents.deregister(name, actor(req));
    if (!a) throw new EngineError(`no agent ${name}`, 'not_found');
    return ok(reply, a);
  });

  for (const c of contributors) c(app, engine, helpers);
  return app;
}

/** The REST door: listens on config.api.host:port (port 0 = any free port). */
export const apiDoor: Door = {
  async open(engine) {
    if (!engine.config.api.enabled) return async () => {};
    const app = buildApi(engine);
    try {
      await app.listen({ host: engine.config.api.host, port: engine.config.api.port });
    } catch (err) {
      await app.close().catch(() => {});
      const code = (err as NodeJS.ErrnoException).code;
      const { host, port } = engine.config.api;
      if (code === 'EADDRINUSE') throw new StartupError(portInUseMessage(host, port, portHolder(port)));
      if (code === 'EACCES') throw new StartupError(`the REST API cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges); choose another with --port N or api.port in the config file`);
      if (code === 'EADDRNOTAVAIL') throw new StartupError(`the REST API cannot listen on ${host}:${port}: no such address on this host; fix api.host in the config file`);
      throw err;
    }
    const addr = app.server.address();
    engine.apiAddress = typeof addr === 'object' && addr ? { host: engine.config.api.host, port: addr.port } : null;
    engine.logger.info({ api: engine.apiAddress }, 'REST API listening');
    return async () => {
      await app.close();
    };
  },
};
