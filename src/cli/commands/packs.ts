// gatehouse packs add|list|remove: signed rule packs in the engine (issue 25). A pack is verified
// against monitor.rules.public_key before it is installed into the state dir; a running engine is
// told to reload, and loads it (its sensitive paths and signatures for the live monitor, its blocked
// hosts for the firewall).
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../../engine/config/config.js';
import { DocumentError } from '../../engine/platform/yamlErrors.js';
import { RulePackError } from '../../engine/monitor/rulePack.js';
import { installedPacks, installPack, loadPacks, removePack } from '../../engine/monitor/rulePackStore.js';
import { CliError } from '../cliError.js';
import { callEngine, printJson, stateDirOf, type GlobalArgs } from '../context.js';

interface PacksArgs extends GlobalArgs {
  file?: string;
  sig?: string;
  name?: string;
  json: boolean;
}

function publicKey(argv: GlobalArgs): string | undefined {
  try {
    return loadConfig(argv.config).config.monitor.rules.public_key;
  } catch (err) {
    if (err instanceof DocumentError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Tells a running engine to load the packs now; says so when none runs. */
async function reloadEngine(argv: GlobalArgs): Promise<string> {
  try {
    await callEngine(argv, 'reload');
    return 'the running engine reloaded its packs';
  } catch (err) {
    return `the engine will load it at its next start or reload (${(err as Error).message.split('\n')[0]})`;
  }
}

const add: CommandModule<GlobalArgs, PacksArgs> = {
  command: 'add <file>',
  describe: 'verify a signed rule pack (FILE and FILE.sig) and install it',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .option('sig', { type: 'string', describe: 'the detached signature (default FILE.sig)' })
      .option('json', { type: 'boolean', default: false }) as unknown as Argv<PacksArgs>,
  handler: async (argv) => {
    const file = resolve(argv.file!);
    try {
      const v = installPack(stateDirOf(argv), file, resolve(argv.sig ?? `${file}.sig`), publicKey(argv));
      const note = await reloadEngine(argv);
      if (argv.json) printJson({ name: v.pack.name, version: v.pack.version, path: v.path, engine: note });
      else process.stdout.write(`installed ${v.pack.name} ${v.pack.version} (${v.path}); ${note}\n`);
    } catch (err) {
      if (err instanceof RulePackError) throw new CliError(`packs add: refused: ${err.message}`, 1);
      throw err;
    }
  },
};

const list: CommandModule<GlobalArgs, PacksArgs> = {
  command: 'list',
  describe: 'the installed and configured packs, each verified now',
  builder: (y: Argv<GlobalArgs>) => y.option('json', { type: 'boolean', default: false }) as unknown as Argv<PacksArgs>,
  handler: (argv) => {
    const { config } = loadConfig(argv.config);
    const r = loadPacks([...config.monitor.rules.packs, ...installedPacks(stateDirOf(argv))], config.monitor.rules.public_key);
    const verified = r.verified.map((v) => ({ name: v.pack.name, version: v.pack.version, path: v.path, sensitive_paths: v.pack.sensitive_paths.length, signatures: v.signatures.length, blocked_hosts: v.pack.blocked_hosts.length }));
    if (argv.json) printJson({ verified, refused: r.refused });
    else {
      if (!verified.length && !r.refused.length) process.stdout.write('no rule packs\n');
      for (const v of verified) process.stdout.write(`${v.name} ${v.version}  verified  ${v.path}  (${v.sensitive_paths} sensitive paths, ${v.signatures} signatures, ${v.blocked_hosts} blocked hosts)\n`);
      for (const x of r.refused) process.stdout.write(`REFUSED  ${x.reason}\n`);
    }
    if (r.refused.length) process.exitCode = 1;
  },
};

const remove: CommandModule<GlobalArgs, PacksArgs> = {
  command: 'remove <name>',
  describe: 'uninstall a pack by name',
  builder: (y: Argv<GlobalArgs>) => y.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as unknown as Argv<PacksArgs>,
  handler: async (argv) => {
    let removed: boolean;
    try {
      removed = removePack(stateDirOf(argv), argv.name!);
    } catch (err) {
      throw new CliError(`packs remove: ${(err as Error).message}`, 2);
    }
    if (!removed) throw new CliError(`packs remove: no pack named ${argv.name} is installed (see gatehouse packs list)`, 1);
    const note = await reloadEngine(argv);
    if (argv.json) printJson({ removed: argv.name, engine: note });
    else process.stdout.write(`removed ${argv.name}; ${note}\n`);
  },
};

export const packsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'packs <command>',
  describe: 'signed rule packs: add, list, remove',
  builder: (y: Argv<GlobalArgs>) => y.command(add).command(list).command(remove).demandCommand(1, 'name a packs subcommand: add, list or remove') as never,
  handler: () => undefined,
};
