// Where gatehouse keeps its state, and the file rules for it: dir 0700, files 0600, no symlinks,
// atomic replacement (docs/configuration.md, README's State and config).
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, chmodSync, renameSync, writeSync, constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.GATEHOUSE_STATE_DIR) return resolve(env.GATEHOUSE_STATE_DIR);
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'gatehouse');
  return join(homedir(), '.local', 'state', 'gatehouse');
}

export function configHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME ? join(resolve(env.XDG_CONFIG_HOME), 'gatehouse') : join(homedir(), '.config', 'gatehouse');
}

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** Creates the directory 0700 if missing; refuses a symlink; tightens a looser mode it owns. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new StateFileError(`${dir} is a symlink; gatehouse refuses symlinked state`);
  if (!st.isDirectory()) throw new StateFileError(`${dir} is not a directory`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Throws when path exists and is a symlink (or not a regular file/socket where a file is expected). */
export function refuseSymlink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) throw new StateFileError(`${path} is a symlink; gatehouse refuses symlinked state files`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Writes a file atomically (temp file, fsync, rename) with mode 0600. */
export function writePrivateFileAtomic(path: string, content: string | Buffer): void {
  refuseSymlink(path);
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * writePrivateFileAtomic with the write and fsync off the event loop. `current()` is asked just before
 * the rename: when it says no (a newer write was made meanwhile), the temp file is removed instead, so
 * an older content never replaces a newer one. Resolves true when the file was replaced.
 */
export async function writePrivateFileAtomicAsync(path: string, content: string | Buffer, current: () => boolean = () => true): Promise<boolean> {
  refuseSymlink(path);
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  if (!current()) {
    await unlink(tmp).catch(() => undefined);
    return false;
  }
  // A synchronous write made while this rename runs could land first: its caller waits for this
  // promise before writing (LedgerAnchor.settled).
  await rename(tmp, path);
  return true;
}

/** Opens (creating 0600) a file for appending, refusing symlinks. */
export function openPrivateAppend(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
}

export const STATE_FILES = {
  db: 'gatehouse.db',
  socket: 'gatehouse.sock',
  lock: 'gatehouse.lock',
  sentinel: 'sentinel.json',
  apiToken: 'api-token',
  alerts: 'alerts.jsonl',
  policyTrusted: 'policy.trusted',
  lockdown: 'lockdown.json',
  offlineSpool: 'offline-decisions.ndjson',
  ledgerHead: 'ledger.head',
  ledgerKey: 'ledger.key',
  logs: 'logs',
} as const;

export function statePath(stateDir: string, file: keyof typeof STATE_FILES): string {
  return join(stateDir, STATE_FILES[file]);
}
