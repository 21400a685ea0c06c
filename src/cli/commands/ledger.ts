// `gatehouse ledger verify`: walks the hash chain and names the first broken record (exit 1).
import type { Argv, CommandModule } from 'yargs';
import { printJson, stateDirOf, type GlobalArgs } from '../context.js';
import { CliError } from '../cliError.js';

interface VerifyArgs extends GlobalArgs {
  json: boolean;
}

export const ledgerCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ledger <command>',
  describe: 'the hash-chained record of every decision and action',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command<VerifyArgs>({
        command: 'verify',
        describe: 'check the chain and its anchor; exit 1 on an edited, missing, truncated or rewritten record',
        builder: (yy) => yy.option('json', { type: 'boolean', default: false }) as never,
        handler: async (argv) => {
          const { verifyLedger } = await import('../../engine/store/ledger.js');
          const { verifyAnchored } = await import('../../engine/store/ledgerAnchor.js');
          const { openStore } = await import('../../engine/store/store.js');
          let db;
          try {
            db = openStore(stateDirOf(argv), { readonly: true });
          } catch (err) {
            throw new CliError((err as Error).message, 2);
          }
          try {
            // The chain's own links first (an edit names its record), then the anchor outside the DB
            // (a truncation, a deleted ledger or a rebuilt chain, which links perfectly).
            const chain = verifyLedger(db);
            const r = chain.ok ? verifyAnchored(db, stateDirOf(argv)) : chain;
            if (argv.json) printJson(r);
            else
              process.stdout.write(
                r.ok
                  ? `ledger ok: ${r.records} records, anchored up to record ${r.anchored_seq}\n`
                  : `ledger BROKEN${r.broken_at !== undefined ? ` at record ${r.broken_at}` : ''}: ${r.problem}${r.first_seq !== undefined ? ` (records ${r.first_seq}-${r.last_seq} affected)` : ''}\n`,
              );
            if (!r.ok) process.exitCode = 1;
          } finally {
            db.close();
          }
        },
      })
      .demandCommand(1, 'name a ledger subcommand') as never,
  handler: () => {},
};
