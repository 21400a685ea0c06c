// `gatehouse ledger list|show|tail|verify`: read the hash-chained record of every decision from a
// shell. Reads use a read-only connection, so they work while the engine runs (WAL) and without it.
import type { Argv, CommandModule } from 'yargs';
import { printJson, stateDirOf, type GlobalArgs } from '../context.js';
import { CliError } from '../cliError.js';
import { HOST_OPTION, hostsOf, itemsOf, overHosts, type NamedHost } from '../fleet.js';
import type { Db } from '../../engine/store/store.js';
import type { LedgerFilter } from '../../engine/store/ledgerQuery.js';
import type { LedgerRecord } from '../../shared/ledger.js';

interface VerifyArgs extends GlobalArgs {
  json: boolean;
}

interface ReadArgs extends GlobalArgs {
  json: boolean;
  kind?: string;
  agent?: string;
  since?: string;
}

interface ListArgs extends ReadArgs {
  limit: number;
  host?: string[];
}

interface ShowArgs extends GlobalArgs {
  json: boolean;
  seq: string;
}

interface TailArgs extends ReadArgs {
  lines: number;
  follow: boolean;
}

/** How often `tail -f` looks for new records. */
const FOLLOW_POLL_MS = 500;
const MAX_LIMIT = 10_000;
/** Records one poll of `tail -f` prints before it looks again. */
const PAGE = 1000;

async function openReadOnly(argv: GlobalArgs): Promise<Db> {
  const { openStore } = await import('../../engine/store/store.js');
  try {
    return openStore(stateDirOf(argv), { readonly: true });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

const filterOptions = <T extends GlobalArgs>(y: Argv<T>) =>
  y
    .option('json', { type: 'boolean', default: false, describe: 'one JSON record per line (NDJSON)' })
    .option('kind', { type: 'string', describe: "an action (firewall.decide) or its family (firewall)" })
    .option('agent', { type: 'string', describe: 'only what this agent (or actor) did' })
    .option('since', { type: 'string', describe: 'an ISO 8601 time or an age: 30s, 10m, 2h, 7d' });

async function filterOf(argv: ReadArgs): Promise<LedgerFilter> {
  const { parseSince } = await import('../ledgerFormat.js');
  const f: LedgerFilter = {};
  if (argv.kind !== undefined) f.kind = argv.kind;
  if (argv.agent !== undefined) f.agent = argv.agent;
  if (argv.since !== undefined) f.since = parseSince(argv.since);
  return f;
}

async function printer(json: boolean): Promise<(r: LedgerRecord) => void> {
  const { ledgerLine } = await import('../ledgerFormat.js');
  return json ? (r) => process.stdout.write(`${JSON.stringify(r)}\n`) : (r) => process.stdout.write(`${ledgerLine(r)}\n`);
}

const listCommand: CommandModule<GlobalArgs, ListArgs> = {
  command: 'list',
  describe: 'the newest records that match, oldest first',
  builder: (y) => filterOptions(y).option('limit', { type: 'number', default: 50, describe: `how many records (1-${MAX_LIMIT})` }).option('host', HOST_OPTION) as never,
  handler: async (argv) => {
    const { parseCount } = await import('../ledgerFormat.js');
    const { queryLedger } = await import('../../engine/store/ledgerQuery.js');
    const limit = parseCount('limit', argv.limit, MAX_LIMIT);
    const filter = await filterOf(argv);
    const print = await printer(argv.json);
    const hosts = await hostsOf(argv);
    if (hosts.length > 0) return listOverHosts(hosts, filter, limit, argv.json);
    const db = await openReadOnly(argv);
    try {
      for (const r of queryLedger(db, { ...filter, limit }).reverse()) print(r);
    } finally {
      db.close();
    }
  },
};

/**
 * `ledger list --host`: each host's newest matching records through the socket (`ledger.recent` with the
 * filters, at most 1000 a host), merged oldest first by time, each record carrying its host. The filters
 * are applied here too, for an engine that does not know them yet.
 */
async function listOverHosts(hosts: NamedHost[], f: LedgerFilter, limit: number, json: boolean): Promise<void> {
  const { ledgerLine } = await import('../ledgerFormat.js');
  const family = (action: string) => !f.kind || action === f.kind || action.startsWith(`${f.kind}.`);
  const records = itemsOf(await overHosts(hosts, (c) => c.ledger.recent(Math.min(1000, limit), f)))
    .filter((r) => family(r.action) && (!f.agent || r.actor === f.agent) && (!f.since || r.ts >= f.since))
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq))
    .slice(-limit);
  for (const r of records) process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${r.host}  ${ledgerLine(r)}\n`);
}

const showCommand: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show <seq>',
  describe: 'every field of one record, by its sequence number',
  builder: (y) => y.positional('seq', { type: 'string', describe: 'the record number (the first column of list)' }).option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const { ledgerBlock, printable } = await import('../ledgerFormat.js');
    const { ledgerHead, ledgerRecord } = await import('../../engine/store/ledgerQuery.js');
    const seq = Number(argv.seq);
    if (!/^\d+$/.test(String(argv.seq)) || !Number.isSafeInteger(seq)) throw new CliError(`'${printable(String(argv.seq))}' is not a record number: give the sequence number list prints first`, 2);
    const db = await openReadOnly(argv);
    try {
      const r = ledgerRecord(db, seq);
      if (!r) {
        const head = ledgerHead(db);
        throw new CliError(`no ledger record ${seq} (${head ? `records are 1 to ${head}` : 'the ledger is empty'})`, 1);
      }
      if (argv.json) printJson(r);
      else process.stdout.write(ledgerBlock(r));
    } finally {
      db.close();
    }
  },
};

const tailCommand: CommandModule<GlobalArgs, TailArgs> = {
  command: 'tail',
  describe: 'the last records; with -f, keep printing new ones until interrupted',
  builder: (y) =>
    filterOptions(y)
      .option('lines', { alias: 'n', type: 'number', default: 10, describe: `how many records to start with (1-${MAX_LIMIT})` })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'wait for new records' }) as never,
  handler: async (argv) => {
    const { parseCount } = await import('../ledgerFormat.js');
    const { queryLedger, ledgerHead } = await import('../../engine/store/ledgerQuery.js');
    const lines = parseCount('lines', argv.lines, MAX_LIMIT);
    const filter = await filterOf(argv);
    const print = await printer(argv.json);
    const db = await openReadOnly(argv);
    // The head and the first records from one snapshot, so following starts exactly after them.
    const first = db.transaction(() => ({ head: ledgerHead(db), rows: queryLedger(db, { ...filter, limit: lines }) }))();
    let last = first.head;
    for (const r of first.rows.reverse()) print(r);
    if (!argv.follow) {
      db.close();
      return;
    }
    // Poll the read-only connection. The head and the page come from one read transaction (one WAL
    // snapshot), so moving past records the filter skipped never skips one committed in between.
    const page = db.transaction(() => ({ head: ledgerHead(db), rows: queryLedger(db, { ...filter, afterSeq: last, limit: PAGE }, 'oldest') }));
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        clearInterval(timer);
        for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, stop);
        db.close();
        resolve();
      };
      const timer = setInterval(() => {
        try {
          for (;;) {
            const { head, rows } = page();
            for (const r of rows) print(r);
            last = rows.length === PAGE ? rows.at(-1)!.seq : head;
            if (rows.length < PAGE) break;
          }
        } catch (err) {
          stop();
          reject(new CliError(`ledger tail stopped: ${(err as Error).message}`, 1));
        }
      }, FOLLOW_POLL_MS);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stop);
    });
  },
};

const verifyCommand: CommandModule<GlobalArgs, VerifyArgs> = {
  command: 'verify',
  describe: 'check the chain and its anchor; exit 1 on an edited, missing, truncated or rewritten record',
  builder: (yy) => yy.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const { verifyLedger } = await import('../../engine/store/ledger.js');
    const { verifyAnchored } = await import('../../engine/store/ledgerAnchor.js');
    const db = await openReadOnly(argv);
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
};

export const ledgerCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ledger <command>',
  describe: 'the hash-chained record of every decision and action: list, show, tail, verify',
  builder: (y: Argv<GlobalArgs>) =>
    y.command(listCommand).command(showCommand).command(tailCommand).command(verifyCommand).demandCommand(1, 'name a ledger subcommand: list, show, tail or verify') as never,
  handler: () => {},
};
