// The MCP proxy's decisions come from the engine over its socket: firewall.check with wait, so the
// engine prompts the operator, applies the TTL and writes the ledger exactly as for a shell command.
//
// Connections are kept: connecting and saying hello costs more than the check itself
// (bench/proxy.bench.mjs). Two ways to use them:
//   - pipelined (the CLI): one connection for the proxy's life carries every call at once, answers
//     coming back by id; a cancelled call cancels its own check (the socket's `cancel`), the others
//     going on. It is opened when the proxy starts (warm) and again after it was lost.
//   - one check per connection (a link without `check`): closing the connection is then the only way
//     the engine learns that the requester went away, so concurrent calls open more connections, and
//     the idle ones are kept up to a few and reused.
import type { Decision, FirewallCheck } from '../../shared/firewall.js';
import type { DecideFn, ProxyLogger } from './types.js';

/** A connection to the engine and whether it is still open (an engine restart closes it). */
export interface EngineLink {
  /** The slice of an engine client the proxy uses (the socket client satisfies it). */
  client: { firewall: { check(req: FirewallCheck): Promise<Decision> }; close(): Promise<void> };
  isOpen(): boolean;
  /** A check that the signal cancels alone, leaving the connection and its other checks running (pipelined links). */
  check?(req: FirewallCheck, signal: AbortSignal): Promise<Decision>;
}

export type ConnectLink = (opts: { stateDir: string }) => Promise<EngineLink>;

export type EngineDecider = DecideFn & {
  /** Starts connecting now, so the first call does not wait for it (pipelined only; a failure is left to that call). */
  warm(): void;
  /** Closes the idle connections (a check still waiting keeps its own until it ends) and the pipelined one. */
  close(): void;
};

/** After this long without an answer, the check is a person being asked (the socket does not say when a prompt opens). */
const WAITING_AFTER_MS = 300;
const MAX_IDLE = 4;

export function engineDecider(connect: ConnectLink, stateDir: string, agent: string, log: ProxyLogger, opts: { pipelined?: boolean } = {}): EngineDecider {
  const idle: EngineLink[] = [];
  /** Pipelined: the link every call uses while it is open, or the connection being made. */
  let shared: Promise<EngineLink> | null = null;
  /** The same link once connected: a call finds it without waiting on a promise. */
  let ready: EngineLink | null = null;
  let closed = false;

  const drop = (link: EngineLink) => void link.client.close().catch(() => undefined);
  const release = (link: EngineLink) => {
    if (!closed && link.isOpen() && idle.length < MAX_IDLE) idle.push(link);
    else drop(link);
  };
  const unreachable = (e: unknown) => new Error(`gatehouse engine not reachable at ${stateDir}: ${(e as Error).message}`);

  /** The pipelined link, connecting (once, whoever asks first) when there is none or it was lost. */
  const sharedLink = async (): Promise<EngineLink> => {
    const current = shared;
    if (current) {
      const link = await current.catch(() => null);
      if (link?.isOpen()) return link;
      if (shared !== current) return sharedLink(); // another call is connecting again already
      if (link) drop(link);
    }
    ready = null;
    const p = connect({ stateDir }).then((link) => {
      if (!link.check) throw new Error('the link cannot carry concurrent checks');
      if (closed) drop(link);
      else if (shared === p) ready = link;
      return link;
    });
    shared = p;
    p.catch(() => {
      if (shared === p) shared = null;
    });
    return p;
  };

  /** Rejects when the call is cancelled; set up before any await, so a cancel while connecting still ends the wait. */
  const cancelled = (signal: AbortSignal) => {
    const p = new Promise<never>((_r, reject) => {
      if (signal.aborted) reject(new Error('cancelled'));
      else signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
    });
    p.catch(() => undefined);
    return p;
  };

  const decide: DecideFn = async (call, ctx) => {
    // The escalation travels as a field the engine may not know yet: it is stripped by older engines,
    // and then the proxy refuses the allow that did not come from the operator (fail closed).
    const req = { tool: call, agent, wait: true, ...(ctx.escalation ? { escalate: ctx.escalation } : {}) };

    if (opts.pipelined) {
      // The usual case, the link open: nothing to wait for but the answer (the link handles a cancel).
      let link = ready?.isOpen() ? ready : null;
      if (!link) {
        try {
          link = await Promise.race([sharedLink(), cancelled(ctx.signal)]);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          throw unreachable(e);
        }
      }
      const waitingTimer = setTimeout(() => ctx.onWaiting?.(), WAITING_AFTER_MS);
      try {
        return await link.check!(req, ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) throw new Error('cancelled');
        log.warn({ err: (e as Error).message }, 'firewall.check failed');
        throw e;
      } finally {
        clearTimeout(waitingTimer);
      }
    }

    const aborted = cancelled(ctx.signal);
    let link: EngineLink | undefined;
    while (idle.length > 0 && !link) {
      const l = idle.pop()!;
      if (l.isOpen()) link = l;
      else drop(l);
    }
    if (!link) {
      const connecting = connect({ stateDir });
      try {
        link = await Promise.race([connecting, aborted]);
      } catch (e) {
        if (ctx.signal.aborted) {
          connecting.then(drop).catch(() => undefined);
          throw e;
        }
        throw unreachable(e);
      }
    }
    const waitingTimer = setTimeout(() => ctx.onWaiting?.(), WAITING_AFTER_MS);
    let answered = false;
    try {
      const decision = await Promise.race([link.client.firewall.check(req), aborted]);
      answered = true;
      return decision;
    } catch (e) {
      if (!ctx.signal.aborted) log.warn({ err: (e as Error).message }, 'firewall.check failed');
      throw e;
    } finally {
      clearTimeout(waitingTimer);
      // Only a connection whose check was answered goes back: an abandoned one is closed so the
      // engine cancels its prompt, and a failed one may be broken.
      if (answered) release(link);
      else drop(link);
    }
  };

  return Object.assign(decide, {
    warm() {
      if (opts.pipelined && !shared && !closed) sharedLink().catch((e: Error) => log.debug({ err: e.message }, 'engine not reachable yet'));
    },
    close() {
      closed = true;
      for (const l of idle.splice(0)) drop(l);
      shared?.then(drop, () => undefined);
      shared = null;
      ready = null;
    },
  });
}
