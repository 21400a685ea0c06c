// `gatehouse reload` and `gatehouse stop`: ask the running engine over the socket.
import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { callEngine, printJson, stateDirOf, type GlobalArgs } from '../context.js';
import { CliError } from '../cliError.js';
import type { ReloadResult } from '../../engine/doors/engineSurface.js';
import { statePath } from '../../engine/store/stateDir.js';

interface ReloadArgs extends GlobalArgs {
  json: boolean;
}

export const reloadCommand: CommandModule<GlobalArgs, ReloadArgs> = {
  command: 'reload',
  describe: 're-read the config file: changed keys apply now or are listed as needing a restart (an invalid file keeps the running config)',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' }) as never,
  handler: async (argv) => {
    const r = (await callEngine(argv, 'reload')) as ReloadResult;
    if (argv.json) printJson(r);
    else {
      const lines = [`reloaded ${r.file ?? '(defaults: no config file)'}: ${r.changed.length ? `${r.changed.length} key(s) differ from the running config` : 'nothing changed'}`];
      for (const k of r.applied) lines.push(`applied: ${k}`);
      for (const k of r.restart_required) lines.push(`restart required: ${k} (the running value stays until the next start)`);
      for (const f of r.failed) lines.push(`not applied: ${f}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (r.failed.length) throw new CliError(`${r.failed.length} section(s) could not be applied`, 1);
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
