// The MCP proxy's decisions come from the engine over its socket: firewall.check with wait, so the
// engine prompts the operator, applies the TTL and writes the ledger exactly as for a shell command.
//
// Connections are kept and reused: connecting and saying hello costs more than the check itself
// (bench/proxy.bench.mjs). Each connection carries one check at a time, because closing it is how the
// engine learns that the requester went away: a cancelled call closes its own connection, which
// cancels that call's prompt and nothing else. Concurrent calls open more connections; the idle
// ones are kept up to a few and reused.
import type { Decision, FirewallCheck } from '../../shared/firewall.js';
import type { DecideFn, ProxyLogger } from './types.js';

/** A connection to the engine and whether it is still open (an engine restart closes it). */
export interface EngineLink {
  /** The slice of an engine client the proxy uses (the socket client satisfies it). */
  client: { firewall: { check(req: FirewallCheck): Promise<Decision> }; close(): Promise<void> };
  isOpen(): boolean;
}

export type ConnectLink = (opts: { stateDir: string }) => Promise<EngineLink>;

export type EngineDecider = DecideFn & {
  /** Closes the idle connections (a check still waiting keeps its own until it ends). */
  close(): void;
};

/** After this long without an answer, the check is a person being asked (the socket does not say when a prompt opens). */
const WAITING_AFTER_MS = 300;
const MAX_IDLE = 4;

export function engineDecider(connect: ConnectLink, stateDir: string, agent: string, log: ProxyLogger): EngineDecider {
  const idle: EngineLink[] = [];
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
    }

    // The escalation travels as a field the engine may not know yet: it is stripped by older engines,
    // and then the proxy refuses the allow that did not come from the operator (fail closed).
    const req = { tool: call, agent, wait: true, ...(ctx.escalation ? { escalate: ctx.escalation } : {}) };
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
    close() {
      closed = true;
      for (const l of idle.splice(0)) drop(l);
    },
  });
}
