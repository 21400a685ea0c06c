// Loads the console lazily (ink and react only when a console is wanted) and runs it until it quits.
import type { EngineClient } from '../client/engineClient.js';

export interface ConsoleOptions {
  client: EngineClient;
  readonly: boolean;
  demo: boolean;
  compact?: boolean;
  watch?: boolean;
  /** The engine runs in this process (quitting stops it). */
  hosting?: boolean;
}

/**
 * Ink renders nothing until unmount when it believes it runs in CI (read at import): a real terminal is
 * not CI. The variables are cleared for this process, and the console says so on its message line, so
 * an operator who set CI on purpose knows it was ignored. Returns that warning, or null.
 */
export function clearCiForTerminal(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): string | null {
  if (!isTTY) return null;
  const cleared = Object.keys(env).filter((key) => key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_'));
  for (const key of cleared) delete env[key];
  return cleared.length ? `${cleared.join(', ')} set in the environment: ignored, this is a terminal (headless: gatehouse run --no-tui)` : null;
}

export async function openConsole(o: ConsoleOptions): Promise<void> {
  const notice = clearCiForTerminal();
  if (o.watch) {
    const { runWatch } = await import('../ui/watch.js');
    return runWatch({ client: o.client, compact: o.compact ?? false });
  }
  const { runConsole } = await import('../ui/runConsole.js');
  return runConsole({ client: o.client, readonly: o.readonly, demo: o.demo, compact: o.compact ?? false, hosting: o.hosting ?? false, ...(notice ? { notice } : {}) });
}
