// Installed rule packs (issue 25): `gatehouse packs add` verifies a pack and copies it with its
// signature into <state dir>/rule-packs (0600 in 0700); the engine loads those and the ones listed in
// monitor.rules.packs at start and on every reload. A pack that does not verify is refused with why.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, refuseSymlink, writePrivateFileAtomic } from '../store/stateDir.js';
import { loadRulePack, RulePackError, verifyRulePack, type VerifiedRulePack } from './rulePack.js';

export const PACKS_DIR = 'rule-packs';

export interface LoadedPacks {
  verified: Array<VerifiedRulePack & { path: string }>;
  refused: Array<{ path: string; reason: string }>;
  /** Changes when any pack file (or the key) changes: a reload rebuilds only then. */
  fingerprint: string;
}

export function packsDir(stateDir: string): string {
  return join(stateDir, PACKS_DIR);
}

/** The packs installed in the state dir (`NAME.json`, each with `NAME.json.sig`). */
export function installedPacks(stateDir: string): string[] {
  const dir = packsDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

/** Verifies every pack; refused ones are listed with the reason and never used. */
export function loadPacks(paths: string[], publicKey: string | undefined): LoadedPacks {
  const verified: LoadedPacks['verified'] = [];
  const refused: LoadedPacks['refused'] = [];
  const h = createHash('sha256').update(publicKey ?? '');
  for (const path of paths) {
    for (const f of [path, `${path}.sig`]) {
      try {
        h.update(f).update(readFileSync(f));
      } catch {
        h.update(`${f}:missing`);
      }
    }
    try {
      verified.push({ ...loadRulePack(path, publicKey), path });
    } catch (err) {
      refused.push({ path, reason: err instanceof RulePackError ? err.message : `${path}: ${(err as Error).message}` });
    }
  }
  return { verified, refused, fingerprint: h.digest('hex') };
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

/** Verifies `file` (with `sigFile`) and installs it under its pack name; returns the installed pack. */
export function installPack(stateDir: string, file: string, sigFile: string, publicKey: string | undefined): VerifiedRulePack & { path: string } {
  let bytes: Buffer, sig: Buffer;
  try {
    bytes = readFileSync(file);
    sig = readFileSync(sigFile);
  } catch (err) {
    throw new RulePackError(`${(err as NodeJS.ErrnoException).path ?? file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const v = verifyRulePack(bytes, sig.toString('utf8'), publicKey, file);
  if (!SAFE_NAME.test(v.pack.name)) throw new RulePackError(`${file}: the pack name "${v.pack.name}" cannot be a file name (letters, digits, . _ - only)`);
  const dir = packsDir(stateDir);
  ensurePrivateDir(dir);
  const dest = join(dir, `${v.pack.name}.json`);
  // The exact bytes that verified are the bytes installed.
  writePrivateFileAtomic(`${dest}.sig`, sig);
  writePrivateFileAtomic(dest, bytes);
  return { ...v, path: dest };
}

/** Removes an installed pack by name; false when none is installed under it. */
export function removePack(stateDir: string, name: string): boolean {
  if (!SAFE_NAME.test(name)) throw new RulePackError(`"${name}" is not a pack name`);
  const dest = join(packsDir(stateDir), `${name}.json`);
  if (!existsSync(dest)) return false;
  refuseSymlink(dest);
  unlinkSync(dest);
  try {
    unlinkSync(`${dest}.sig`);
  } catch {
    /* already gone */
  }
  return true;
}
