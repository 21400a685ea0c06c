// `gatehouse reload` and `gatehouse stop`: ask the running engine over the socket.
import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { callEngine, stateDirOf, type GlobalArgs } from '../context.js';
import { statePath } from '../../engine/store/stateDir.js';

export const reloadCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'reload',
  describe: 're-read the config file (an invalid file keeps the running config)',
  handler: async (argv) => {
    const r = (await callEngine(argv, 'reload')) as { file: string | null; notes: string[] };
    process.stdout.write(`reloaded ${r.file ?? '(defaults: no config file)'}\n${r.notes.map((n) => `note: ${n}\n`).join('')}`);
  },
};

interface StopArgs extends GlobalArgs {
  wait: number;
}

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: 'stop',
  describe: 'stop the running engine (drains and exits cleanly)',
  builder: (y) => y.option('wait', { type: 'number', default: 10, describe: 'seconds to wait for it to exit' }) as never,
  handler: async (argv) => {
    await callEngine(argv, 'shutdown');
    const lock = statePath(stateDirOf(argv), 'lock');
    const deadline = Date.now() + argv.wait * 1000;
    while (existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    process.stdout.write(existsSync(lock) ? 'stop requested; the engine is still draining\n' : 'stopped\n');
  },
};
