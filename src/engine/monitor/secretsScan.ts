// Secrets at rest: files, directory trees, an environment, and API key age. Findings carry the
// path and line and a masked value only, and convert to `secrets` alerts.
import { lstatSync, openSync, readSync, closeSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { AlertInput, Severity } from '../../shared/alert.js';
import { findSecrets, type SecretFinding } from './secrets.js';

export interface SecretLocation extends Omit<SecretFinding, 'start' | 'end'> {
  /** File path, or `env:NAME` for an environment variable, or `key:NAME` for key age. */
  path: string;
  message: string;
}

export interface SkippedFile {
  path: string;
  reason: 'too large' | 'binary' | 'unreadable' | 'symlink' | 'file limit';
}

export interface ScanOptions {
  /** Files larger than this are skipped and listed (default 2 MiB). */
  maxBytes?: number;
  /** Stop after this many files in a directory scan (default 20,000). */
  maxFiles?: number;
  /** Directory names never entered (default node_modules, .git and similar). */
  skipDirs?: string[];
}

const DEFAULT_SKIP = ['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'dist', 'build', '.cache'];

function locate(f: SecretFinding, path: string): SecretLocation {
  const { start: _s, end: _e, ...rest } = f;
  const where = path.startsWith('env:') ? path : `${path}:${f.line}`;
  return { ...rest, path, message: `${f.provider === 'generic' ? 'secret' : `${f.provider} secret`} (${f.rule}) in ${where}: ${f.masked}` };
}

/** A file's secrets; `null` with a reason when it was not read (size, binary, symlink). */
export function scanFileForSecrets(path: string, opts: ScanOptions = {}): { findings: SecretLocation[]; skipped?: SkippedFile } {
  const max = opts.maxBytes ?? 2 * 1024 * 1024;
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return { findings: [], skipped: { path, reason: 'unreadable' } };
  }
  if (st.isSymbolicLink()) return { findings: [], skipped: { path, reason: 'symlink' } };
  if (st.size > max) return { findings: [], skipped: { path, reason: 'too large' } };
  let buf: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, buf, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      buf = buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  } catch {
    return { findings: [], skipped: { path, reason: 'unreadable' } };
  }
  // A NUL byte in the first 8 KiB: a binary file (image, archive, database), not config text.
  if (buf.subarray(0, 8192).includes(0)) return { findings: [], skipped: { path, reason: 'binary' } };
  return { findings: findSecrets(buf.toString('utf8')).map((f) => locate(f, path)) };
}

/** Walks `dir` (no symlinks followed) and scans every regular file. */
export function scanDirectoryForSecrets(dir: string, opts: ScanOptions = {}): { findings: SecretLocation[]; skipped: SkippedFile[]; files: number } {
  const maxFiles = opts.maxFiles ?? 20_000;
  const skipDirs = new Set(opts.skipDirs ?? DEFAULT_SKIP);
  const findings: SecretLocation[] = [];
  const skipped: SkippedFile[] = [];
  let files = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      skipped.push({ path: d, reason: 'unreadable' });
      continue;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!skipDirs.has(e.name)) stack.push(p);
      } else if (e.isFile()) {
        if (files >= maxFiles) {
          skipped.push({ path: p, reason: 'file limit' });
          continue;
        }
        files++;
        const r = scanFileForSecrets(p, opts);
        findings.push(...r.findings);
        if (r.skipped) skipped.push(r.skipped);
      }
    }
  }
  return { findings, skipped, files };
}

/**
 * Secrets in an environment (the engine's own, or an agent's). `expected` names are variables
 * that are supposed to hold a secret (APPROVAL_API_KEY): reported at P3, not as a leak.
 */
export function scanEnvironmentForSecrets(env: Record<string, string | undefined>, expected: string[] = []): SecretLocation[] {
  const out: SecretLocation[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    for (const f of findSecrets(`${name}=${value}`)) {
      const loc = locate(f, `env:${name}`);
      out.push(expected.includes(name) ? { ...loc, severity: 'P3' } : loc);
    }
  }
  return out;
}

export interface ApiKeyRecord {
  name: string;
  /** ISO date or date-time the key was created. */
  created: string;
}

/** Keys older than `maxAgeDays` (default 90) are P2; an unparsable date is reported, not skipped. */
export function checkKeyAges(keys: ApiKeyRecord[], now = Date.now(), maxAgeDays = 90): SecretLocation[] {
  const out: SecretLocation[] = [];
  for (const k of keys) {
    const t = Date.parse(k.created);
    const base = { rule: 'key-age', provider: 'api key', severity: 'P2' as Severity, line: 0, masked: '', path: `key:${k.name}` };
    if (Number.isNaN(t)) {
      out.push({ ...base, message: `monitor.keys: key "${k.name}" has created "${k.created}", which is not a date (use YYYY-MM-DD)` });
      continue;
    }
    const days = Math.floor((now - t) / 86_400_000);
    if (days > maxAgeDays) out.push({ ...base, message: `API key "${k.name}" is ${days} days old (rotate keys older than ${maxAgeDays} days)` });
  }
  return out;
}

export function secretToAlert(f: SecretLocation): AlertInput {
  return {
    severity: f.severity,
    source: 'secrets',
    check: f.rule === 'key-age' ? 'key_age' : 'secret_exposed',
    message: f.message,
    path: f.path,
    evidence: { rule: f.rule, provider: f.provider, line: f.line, masked: f.masked },
  };
}
