// The MCP stdio proxy: a line relay between an MCP host and one MCP server. Everything passes
// unchanged (the bytes as received) except tools/call and resources/read, which wait for a firewall
// decision, and a few results the proxy reads on the way back (tools/list for metadata and pins,
// tool and resource results for scanning). Every line is parsed: a gated request is found by its
// parsed method, never by a cheaper look at the text that an escaped name could slip past.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { AlertInput } from '../../shared/alert.js';
import { mayRun, type Decision } from '../../shared/firewall.js';
import { isGatedMethod, parseGated, refusalLine, unreachableLine, type GatedRequest } from './gatedRequests.js';
import { LineFramer, type FramedLine } from './lineFramer.js';
import {
  INTERNAL_ERROR,
  INVALID_REQUEST,
  PARSE_ERROR,
  errorLine,
  idKey,
  notificationLine,
  parseLine,
  classify,
  type JsonRpcId,
  type RpcMessage,
} from './jsonRpc.js';
import { describeCallArgs, scanResult } from './responseScanner.js';
import { SequenceTracker, type Escalation } from './sequenceRules.js';
import { ToolRegistry } from './toolRegistry.js';
import { silentLogger, type ProxyOptions, type ProxyResult } from './types.js';

const CancelParamsSchema = z.object({ requestId: z.union([z.string(), z.number()]) }).loose();
const ProgressParamsSchema = z.object({ progressToken: z.union([z.string(), z.number()]), progress: z.number() }).loose();

interface Forwarded {
  method: string;
  tool?: string;
  /** What the call names (resource URI, url/path arguments), for alerts on its result. */
  subject?: string;
  /** The progress token the proxy used while the call waited (its shift ends with the response). */
  progressKey?: string;
}

interface Waiting {
  abort: AbortController;
  timer?: NodeJS.Timeout;
  progressKey?: string;
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Results the model reads, scanned for secrets and prompt injection (tasks/result carries a task-augmented tools/call's outcome). */
const SCANNED_METHODS = new Set(['tools/call', 'resources/read', 'tasks/result']);

export function runProxy(o: ProxyOptions): Promise<ProxyResult> {
  const log = o.logger ?? silentLogger;
  const server = o.serverName;
  const registry = new ToolRegistry(server, o.pins);
  const sequences = new SequenceTracker(server);
  const progressInterval = o.progressIntervalMs ?? 10_000;
  const grace = o.shutdownGraceMs ?? 2_000;

  /** Host requests forwarded to the server and not yet answered. */
  const forwarded = new Map<string, Forwarded>();
  /** tools/call requests waiting for a decision (never seen by the server). */
  const waiting = new Map<string, Waiting>();
  /** Progress tokens the proxy already used while waiting: the server's later progress is shifted past them. */
  const progressUsed = new Map<string, number>();

  let hostEnded = false;
  let childGone = false;
  let killTimers: NodeJS.Timeout[] = [];

  const child = spawn(o.command, o.args, {
    env: o.env ?? process.env,
    cwd: o.cwd,
    stdio: ['pipe', 'pipe', 'inherit'],
    shell: false,
  });
  if (child.pid !== undefined) o.onSpawn?.(child.pid);

  const raise = (a: AlertInput) => {
    try {
      o.onAlert(a);
    } catch (e) {
      log.error({ err: (e as Error).message, check: a.check }, 'could not raise alert');
    }
  };

  // Lines the proxy writes itself are strings (a newline is added); lines passing through are the
  // bytes as received, newline included. Backpressure: a slow reader pauses the other side until it
  // drains (one drain listener at a time).
  let hostBlocked = false;
  let childBlocked = false;
  const writeHost = (line: string | Buffer) => {
    if (!o.output.writable) return;
    if (!o.output.write(typeof line === 'string' ? `${line}\n` : line) && !childGone && !hostBlocked) {
      hostBlocked = true;
      child.stdout.pause();
      o.output.once('drain', () => {
        hostBlocked = false;
        child.stdout.resume();
      });
    }
  };
  const writeChild = (line: string | Buffer) => {
    if (childGone || !child.stdin.writable) return false;
    if (!child.stdin.write(typeof line === 'string' ? `${line}\n` : line) && !childBlocked) {
      childBlocked = true;
      o.input.pause();
      child.stdin.once('drain', () => {
        childBlocked = false;
        o.input.resume();
      });
    }
    return true;
  };

  child.stdin.on('error', (e) => log.warn({ err: e.message, server }, 'writing to the MCP server failed'));

  // ---------------------------------------------------------------- host → server
  const fromHost = (msg: RpcMessage, raw: Buffer) => {
    if (msg.kind === 'request') {
      if (isGatedMethod(msg.method)) {
        const gated = parseGated(msg.id, msg.method, server, msg.params);
        if (!gated.ok) return writeHost(gated.line);
        return void interceptGated(msg.id, gated.request, raw);
      }
      if (childGone) return writeHost(errorLine(msg.id, INTERNAL_ERROR, `MCP server "${server}" is not running`));
      forwarded.set(idKey(msg.id), { method: msg.method });
      writeChild(raw);
      return;
    }
    if (msg.kind === 'notification' && msg.method === 'notifications/cancelled') {
      const p = CancelParamsSchema.safeParse(msg.params);
      const w = p.success ? waiting.get(idKey(p.data.requestId)) : undefined;
      if (p.success && w) {
        // The server never saw this request: end the wait here and tell nobody (cancelled requests get no answer).
        log.info({ server, id: p.data.requestId }, 'request cancelled by the host while waiting for a decision');
        settleWaiting(idKey(p.data.requestId));
        w.abort.abort(new Error('cancelled by the MCP host'));
        return;
      }
    }
    if (msg.kind === 'batch') return void fromHostBatch(msg.items, raw);
    writeChild(raw);
  };

  const fromHostBatch = (items: unknown[], raw: Buffer) => {
    const gatedInside = items.some((i) => {
      const method = (i as { method?: unknown } | null)?.method;
      return typeof method === 'string' && isGatedMethod(method);
    });
    if (!gatedInside) {
      for (const i of items) {
        const c = classify(i);
        if (c.ok && c.message.kind === 'request') forwarded.set(idKey(c.message.id), { method: c.message.method });
      }
      writeChild(raw);
      return;
    }
    // A batched tools/call or resources/read would slip past the per-call decision: refuse the whole batch.
    for (const i of items) {
      const id = (i as { id?: unknown } | null)?.id;
      if (typeof id === 'string' || typeof id === 'number') {
        writeHost(errorLine(id, INVALID_REQUEST, 'gatehouse does not relay batches containing tools/call or resources/read; send each as its own message'));
      }
    }
  };

  /** A tools/call or resources/read: forwarded only once the firewall allowed it. */
  const interceptGated = async (id: JsonRpcId, r: GatedRequest, raw: Buffer) => {
    const key = idKey(id);
    if (waiting.has(key) || forwarded.has(key)) {
      writeHost(errorLine(id, INVALID_REQUEST, `request id ${JSON.stringify(id)} is already in use`));
      return;
    }
    const { call, label } = r;
    const info = r.method === 'tools/call' ? registry.get(call.tool) : undefined;
    if (info?.annotations) call.annotations = info.annotations;
    const refusal = { server, hasOutputSchema: info?.hasOutputSchema ?? false };

    const escalations: Escalation[] = [];
    const seq = sequences.check(call);
    if (seq.alert) raise(seq.alert);
    if (seq.escalation) escalations.push(seq.escalation);
    if (info?.changedFrom) {
      escalations.push({ check: 'tool_changed', reason: `the definition of "${call.tool}" changed since it was pinned on ${info.changedFrom.pinned_at || 'an earlier run'}` });
    }
    const escalation: Escalation | undefined = escalations.length
      ? { check: escalations.map((e) => e.check).join('+'), reason: escalations.map((e) => e.reason).join('; ') }
      : undefined;

    const abort = new AbortController();
    const w: Waiting = { abort };
    waiting.set(key, w);
    const token = r.progressToken;
    let sent = 0;
    const sendProgress = () => {
      if (token === undefined || !waiting.has(key)) return;
      sent += 1;
      w.progressKey = idKey(token);
      progressUsed.set(w.progressKey, sent);
      writeHost(notificationLine('notifications/progress', { progressToken: token, progress: sent, message: `gatehouse: waiting for the operator to approve "${label}"` }));
    };
    if (token !== undefined && progressInterval > 0) w.timer = setInterval(sendProgress, progressInterval);

    let decision: Decision;
    try {
      decision = await o.decide(call, {
        requestId: id,
        signal: abort.signal,
        onWaiting: () => {
          if (sent === 0) sendProgress();
        },
        ...(escalation ? { escalation } : {}),
      });
    } catch (e) {
      if (abort.signal.aborted || !waiting.has(key)) return; // cancelled, host gone or server gone: already handled
      settleWaiting(key);
      log.error({ server, request: label, err: (e as Error).message }, 'firewall decision failed; refusing the request');
      writeHost(unreachableLine(id, r, (e as Error).message, refusal));
      return;
    }
    if (!waiting.has(key)) return; // cancelled while the decider was finishing
    if (escalation && decision.decision === 'allow' && decision.source !== 'operator') {
      // The decider did not ask although the proxy required it: refuse rather than trust it.
      decision = { ...decision, decision: 'deny', reason: `needs the operator's approval: ${escalation.reason}; the firewall did not ask` };
    }
    if (decision.decision === 'allow' && !mayRun(decision)) decision = { ...decision, decision: 'deny' }; // law 8: nothing decided in lockdown runs
    settleWaiting(key, decision.decision === 'allow' && !childGone);
    if (decision.decision !== 'allow') {
      log.info({ server, request: label, decision: decision.decision, source: decision.source, rule: decision.rule, audit_id: decision.request_id }, `${r.method} refused`);
      writeHost(refusalLine(id, r, decision, refusal));
      return;
    }
    if (childGone) {
      writeHost(errorLine(id, INTERNAL_ERROR, `MCP server "${server}" is not running`));
      return;
    }
    // The call leaves first; the server's answer cannot be read before this task ends, so the
    // bookkeeping after the write is still in place for it.
    writeChild(raw);
    const subject = describeCallArgs(call.args);
    forwarded.set(key, { method: r.method, tool: r.method === 'tools/call' ? call.tool : label, ...(subject ? { subject } : {}), ...(token !== undefined && sent > 0 ? { progressKey: idKey(token) } : {}) });
    sequences.record(call);
  };

  /** The wait is over; keepProgress when the call goes on to the server (its progress shift still applies). */
  const settleWaiting = (key: string, keepProgress = false) => {
    const w = waiting.get(key);
    if (w?.timer) clearInterval(w.timer);
    if (w?.progressKey && !keepProgress) progressUsed.delete(w.progressKey);
    waiting.delete(key);
  };

  // ---------------------------------------------------------------- server → host
  const fromChild = (msg: RpcMessage, raw: Buffer | string) => {
    if (msg.kind === 'response' && msg.id !== null) {
      const key = idKey(msg.id);
      const f = forwarded.get(key);
      if (f) {
        forwarded.delete(key);
        if (f.progressKey) progressUsed.delete(f.progressKey);
        if (!mayRewrite(f.method)) {
          // Nothing to change in it: the host gets it first, the scan and alerts follow in the same task.
          writeHost(raw);
          inspectResult(f, msg);
          return;
        }
        return writeHost(inspectResult(f, msg) ?? raw);
      }
    } else if (msg.kind === 'notification' && msg.method === 'notifications/progress' && progressUsed.size > 0) {
      const p = ProgressParamsSchema.safeParse(msg.params);
      const used = p.success ? progressUsed.get(idKey(p.data.progressToken)) : undefined;
      if (p.success && used !== undefined) {
        // Progress must only increase: shift the server's values past the ones the proxy sent while waiting.
        const { total: _total, ...rest } = p.data;
        return writeHost(JSON.stringify({ ...msg.raw, params: { ...rest, progress: p.data.progress + used } }));
      }
    } else if (msg.kind === 'batch') {
      for (const item of msg.items) {
        const c = classify(item);
        if (c.ok) fromChild(c.message, JSON.stringify(item));
      }
      return;
    }
    writeHost(raw);
  };

  const redacting = Boolean(o.redactSecrets && o.redact) || Boolean(o.redactInjection);
  const mayRewrite = (method: string) => (method === 'tools/list' ? o.hideTool !== undefined : redacting && SCANNED_METHODS.has(method));

  /** Learns from or scans a result; returns the rewritten line when it changed. */
  const inspectResult = (f: Forwarded, msg: Extract<RpcMessage, { kind: 'response' }>): string | undefined => {
    if (msg.result === undefined || msg.id === null) return undefined;
    if (f.method === 'tools/list') {
      for (const a of registry.observeList(msg.result)) raise(a);
      const filtered = o.hideTool ? registry.filterList(msg.result, o.hideTool) : undefined;
      return filtered ? JSON.stringify({ ...msg.raw, result: filtered }) : undefined;
    }
    if (SCANNED_METHODS.has(f.method)) {
      const { alerts, rewritten } = scanResult(msg.result, {
        server,
        tool: f.tool ?? f.method,
        ...(f.subject ? { subject: f.subject } : {}),
        scanText: o.scanText,
        redact: o.redact,
        redactSecrets: o.redactSecrets,
        redactInjection: o.redactInjection,
      });
      for (const a of alerts) raise(a);
      return rewritten ? JSON.stringify(msg.raw) : undefined;
    }
    return undefined;
  };

  // ---------------------------------------------------------------- framing
  // One write per line, never coalesced (cork): an MCP SDK host that reads a progress notification
  // and its call's response in one read drops the notification (it handles notifications a microtask
  // after responses). Coalescing would make that loss certain whenever the server's two lines arrive
  // together; one write each keeps the timing the server gave them.
  const pump = (lines: FramedLine[], side: 'host' | 'server') => {
    for (const l of lines) {
      if (!l.ok) {
        log.warn({ side, error: l.error }, `malformed line from the ${side === 'host' ? 'MCP host' : 'MCP server'}: ${l.message}`);
        const answer = errorLine(null, PARSE_ERROR, `gatehouse proxy: ${l.message}`);
        side === 'host' ? writeHost(answer) : writeChild(answer);
        continue;
      }
      const parsed = parseLine(l.text);
      if (!parsed.ok) {
        log.warn({ side, code: parsed.code, id: parsed.id, line: l.text.slice(0, 200) }, `malformed message from the ${side === 'host' ? 'MCP host' : 'MCP server'}: ${parsed.message}`);
        if (parsed.code === PARSE_ERROR || parsed.id !== null) {
          const answer = errorLine(parsed.id, parsed.code, `gatehouse proxy: ${parsed.message}`);
          side === 'host' ? writeHost(answer) : writeChild(answer);
        }
        continue;
      }
      side === 'host' ? fromHost(parsed.message, l.raw) : fromChild(parsed.message, l.raw);
    }
  };

  const hostFramer = new LineFramer(o.maxLineBytes);
  const childFramer = new LineFramer(o.maxLineBytes);
  const onHostData = (chunk: Buffer | string) => pump(hostFramer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk), 'host');
  o.input.on('data', onHostData);
  child.stdout.on('data', (chunk: Buffer) => pump(childFramer.push(chunk), 'server'));
  child.stdout.on('end', () => pump(childFramer.end(), 'server'));

  // ---------------------------------------------------------------- lifecycle
  const onHostEnd = () => {
    if (hostEnded) return;
    pump(hostFramer.end(), 'host');
    hostEnded = true;
    log.info({ server }, 'MCP host closed the connection; stopping the server');
    for (const [key, w] of waiting) {
      settleWaiting(key);
      w.abort.abort(new Error('the MCP host went away'));
    }
    if (childGone) return;
    child.stdin.end();
    killTimers.push(
      setTimeout(() => {
        child.kill('SIGTERM');
        killTimers.push(setTimeout(() => child.kill('SIGKILL'), grace));
      }, grace),
    );
  };
  o.input.on('end', onHostEnd);
  o.input.on('close', onHostEnd);
  o.input.on('error', (e) => {
    log.warn({ err: e.message }, 'reading from the MCP host failed');
    onHostEnd();
  });

  const signalHandlers = new Map<string, () => void>();
  if (o.forwardSignals) {
    for (const sig of FORWARDED_SIGNALS) {
      const h = () => {
        log.info({ server, signal: sig }, 'forwarding signal to the MCP server');
        if (!childGone) child.kill(sig);
      };
      signalHandlers.set(sig, h);
      process.on(sig, h);
    }
  }

  return new Promise<ProxyResult>((resolve) => {
    let done = false;
    const finish = (exitCode: number, why: string) => {
      if (done) return;
      done = true;
      childGone = true;
      for (const t of killTimers) clearTimeout(t);
      killTimers = [];
      for (const [sig, h] of signalHandlers) process.off(sig, h);
      o.input.off('data', onHostData);
      // In-flight requests must not hang the host: answer every one of them, waiting or forwarded.
      for (const [key, w] of waiting) {
        settleWaiting(key);
        w.abort.abort(new Error(why));
        if (!hostEnded) writeHost(errorLine(unkey(key), INTERNAL_ERROR, `gatehouse proxy: ${why}`));
      }
      if (!hostEnded) {
        for (const key of forwarded.keys()) writeHost(errorLine(unkey(key), INTERNAL_ERROR, `gatehouse proxy: ${why} before answering`));
      }
      forwarded.clear();
      const exit = () => resolve({ exitCode });
      if (o.output.writable) o.output.write('', exit);
      else exit();
    };
    child.on('error', (e) => {
      log.error({ server, command: o.command, err: e.message }, 'could not start the MCP server');
      if (child.pid === undefined) finish(127, `MCP server "${server}" could not be started (${o.command}: ${e.message})`);
    });
    child.on('close', (code, signal) => {
      const weStopped = hostEnded;
      const exitCode = code ?? (weStopped ? 0 : 128 + signalNumber(signal));
      if (!weStopped) log.error({ server, code, signal }, 'MCP server exited while the host was connected');
      finish(weStopped && code === null ? 0 : exitCode, `MCP server "${server}" exited (${signal ?? `code ${code}`})`);
    });
  });
}

function unkey(key: string): JsonRpcId {
  return key.startsWith('n:') ? Number(key.slice(2)) : key.slice(2);
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return signal ? (table[signal] ?? 1) : 1;
}
