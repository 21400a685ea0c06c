// The MCP proxy's decisions come from the engine over its socket: firewall.check with wait, so the
// engine prompts the operator, applies the TTL and writes the ledger exactly as for a shell command.
//
// Connections are kept and reused: connecting and saying hello costs more than the check itself
// (bench/proxy.bench.mjs). A link that can cancel one check on its own (the socket's `cancel`) carries
// every call at once, pipelined: one connection for the proxy's life, a cancelled call ending its own
// check and prompt only. A link that cannot carries one check at a time, because closing it is then the
// only way the engine learns that the requester went away; concurrent calls open more of those, and
// the idle ones are kept up to a few and reused.
import type { EngineClient } from '../../client/engineClient.js';
import type { Decision, FirewallCheck } from '../../shared/firewall.js';
import type { DecideFn, ProxyLogger } from './types.js';

/** A connection to the engine and whether it is still open (an engine restart closes it). */
export interface EngineLink {
  client: EngineClient;
  isOpen(): boolean;
  /** A check that the signal cancels alone, leaving the connection and its other checks running. */
  check?(req: FirewallCheck, signal: AbortSignal): Promise<Decision>;
}

export type ConnectLink = (opts: { stateDir: string }) => Promise<EngineLink>;

export type EngineDecider = DecideFn & {
  /** Closes the idle connections (a check still waiting keeps its own until it ends) and the shared one. */
  close(): void;
};

/** After this long without an answer, the check is a person being asked (the socket does not say when a prompt opens). */
const WAITING_AFTER_MS = 300;
const MAX_IDLE = 4;

export function engineDecider(connect: ConnectLink, stateDir: string, agent: string, log: ProxyLogger): EngineDecider {
  const idle: EngineLink[] = [];
  /** The pipelined link every call uses while it is open. */
  let shared: EngineLink | null = null;
  let closed = false;

  const drop = (link: EngineLink) => void link.client.close().catch(() => undefined);
  const release = (link: EngineLink) => {
    if (!closed && link.isOpen() && idle.length < MAX_IDLE) idle.push(link);
    else drop(link);
  };

  const decide: DecideFn = async (call, ctx) => {
    // Set up before any await: a cancel that lands while connecting must still end the wait.
    const aborted = new Promise<never>((_r, reject) => {
      if (ctx.signal.aborted) reject(new Error('cancelled'));
      else ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
    });
    aborted.catch(() => undefined);

    let link: EngineLink | undefined;
    if (shared && !shared.isOpen()) {
      drop(shared);
      shared = null;
    }
    if (shared) link = shared;
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
        throw new Error(`gatehouse engine not reachable at ${stateDir}: ${(e as Error).message}`);
      }
      if (link.check) {
        // Calls that connected at the same moment keep the first link; the others go.
        if (shared && shared.isOpen() && shared !== link) {
          drop(link);
          link = shared;
        } else shared = link;
      }
    }

    // The escalation travels as a field the engine may not know yet: it is stripped by older engines,
    // and then the proxy refuses the allow that did not come from the operator (fail closed).
    const req = { tool: call, agent, wait: true, ...(ctx.escalation ? { escalate: ctx.escalation } : {}) };
    const waitingTimer = setTimeout(() => ctx.onWaiting?.(), WAITING_AFTER_MS);
    if (link.check) {
      try {
        return await link.check(req, ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) throw new Error('cancelled');
        log.warn({ err: (e as Error).message }, 'firewall.check failed');
        throw e;
      } finally {
        clearTimeout(waitingTimer);
      }
    }
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
    close() {
      closed = true;
      for (const l of idle.splice(0)) drop(l);
      if (shared) drop(shared);
      shared = null;
    },
  });
}
