// Loads the console lazily (ink and react only when a console is wanted) and runs it until it quits.
import type { EngineClient } from '../client/engineClient.js';

export interface ConsoleOptions {
  client: EngineClient;
  readonly: boolean;
  demo: boolean;
  compact?: boolean;
  watch?: boolean;
}

/** Ink renders nothing until unmount when it believes it runs in CI (read at import): a real terminal is not CI. */
function clearCiForTerminal(): void {
  if (!process.stdout.isTTY) return;
  for (const key of Object.keys(process.env)) if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
}

export async function openConsole(o: ConsoleOptions): Promise<void> {
  clearCiForTerminal();
  if (o.watch) {
    const { runWatch } = await import('../ui/watch.js');
    return runWatch({ client: o.client, compact: o.compact ?? false });
  }
  const { runConsole } = await import('../ui/runConsole.js');
  return runConsole({ client: o.client, readonly: o.readonly, demo: o.demo, compact: o.compact ?? false });
}
