// Runs the engine in this process until it is stopped: signals (TERM/INT drain and exit, HUP reloads),
// and either headless logging or the console in the same process.
import { Engine, localActor, type Door } from '../engine/engine.js';
import { apiDoor } from '../engine/doors/api.js';
import { ipcDoor } from '../engine/doors/ipcServer.js';
import { LockHeldError } from '../engine/store/lock.js';
import { DocumentError } from '../engine/platform/yamlErrors.js';
import { StartupError } from '../engine/doors/portHolder.js';
import { inProcessClient } from '../client/inProcessClient.js';
import { CliError } from './cliError.js';
import { EXIT_ACCESS, stateDirOf, type GlobalArgs } from './context.js';
import { stateDirAccessProblem } from './stateAccess.js';
import { StateFileError } from '../engine/store/stateDir.js';
import { openConsole } from './openConsole.js';

export interface EngineProcessOptions {
  argv: GlobalArgs;
  tui: boolean;
  port?: number | undefined;
  logFormat: 'pretty' | 'json';
  demo: boolean;
  readonly: boolean;
}

/** Doors every engine process opens; later capabilities add theirs here. */
export const engineDoors: Door[] = [ipcDoor, apiDoor];

export async function runEngineProcess(o: EngineProcessOptions): Promise<void> {
  const stateDir = stateDirOf(o.argv);
  const problem = stateDirAccessProblem(stateDir);
  if (problem) throw new CliError(problem, EXIT_ACCESS);
  // The signal handlers go in before the engine starts: a HUP or TERM that arrives while it starts (or
  // right after its "engine started" line) would otherwise get the default action and kill the process.
  // Such a signal is held and acted on once the engine is up.
  let running: Engine | null = null;
  let heldStop: string | null = null;
  let heldReload = false;
  const stop = (why: string) => (running ? void running.stop(why) : (heldStop ??= why));
  // The engine logs a refused reload with its reason and keeps the running config.
  const reload = () => (running ? void running.reload({ by: 'SIGHUP', surface: 'engine' }).catch(() => {}) : (heldReload = true));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', reload);
  let engine: Engine;
  try {
    engine = await Engine.start(
      {
        stateDir,
        ...(o.argv.config ? { configFlag: o.argv.config } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        demo: o.demo,
        logStdout: o.tui ? null : o.logFormat,
      },
      engineDoors,
    );
  } catch (err) {
    if (err instanceof LockHeldError || err instanceof DocumentError || err instanceof StartupError || err instanceof StateFileError) throw new CliError(err.message, 1);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw new CliError(`cannot use the state dir ${stateDir} as user ${localActor('cli').by}: ${(err as Error).message}`, EXIT_ACCESS);
    }
    throw err;
  }

  running = engine;
  if (heldStop) stop(heldStop);
  else if (heldReload) reload();
  const { logDecision } = await import('./decisionLog.js');
  engine.bus.subscribe((e) => logDecision(engine.logger, e));
  let failed = false;
  process.on('uncaughtException', (err) => {
    // One failure starts the stop; a second one while it runs (or a stop that hangs) must not keep a
    // failing engine alive or spin on its own error.
    if (failed) return;
    failed = true;
    setTimeout(() => process.exit(70), 10_000).unref();
    try {
      engine.logger.fatal({ err }, 'uncaught exception');
    } finally {
      void engine.stop('uncaught exception').finally(() => process.exit(70));
    }
  });

  if (o.tui) {
    await openConsole({ client: inProcessClient(engine, localActor('tui')), readonly: o.readonly, demo: o.demo, hosting: true });
    await engine.stop('console closed');
  } else {
    const api = engine.apiAddress ? `http://${engine.apiAddress.host}:${engine.apiAddress.port}` : 'off';
    engine.logger.info({ api, socket: `${stateDir}/gatehouse.sock` }, 'running headless; SIGTERM or `gatehouse stop` to stop');
  }
  await engine.stopped;
  process.exit(0);
}
