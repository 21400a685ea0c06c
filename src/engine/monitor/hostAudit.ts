// `gatehouse audit`: the host's configuration as an attacker would see it. Each finding has a
// stable id, a severity (critical | warn | info) and a remediation; `fixHostAudit` only ever
// tightens permissions and touches nothing else.
import { chmodSync, lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { findSecrets } from './secrets.js';
import { findPromptInjection } from './promptInjection.js';

export type AuditSeverity = 'critical' | 'warn' | 'info';

export interface AuditFinding {
  /** Stable id: scripts and suppressions key on it. */
  id: string;
  severity: AuditSeverity;
  message: string;
  remediation: string;
  path?: string;
  /** For permission findings: the mode `--fix` would set. */
  fixMode?: number;
  evidence?: Record<string, unknown>;
}

export interface HostAuditInput {
  /** gatehouse (or gateway) state directory: expected 0700, files 0600, no symlinks. */
  stateDir?: string;
  /** Config files: permissions and secrets are checked. */
  configFiles?: string[];
  /** Config directories: permissions are checked. */
  configDirs?: string[];
  /** The API's binding; `auth` false means requests are accepted without a token. */
  bind?: { host: string; port?: number; auth: boolean };
  /** Tokens to check for length (api-token, APPROVAL_API_KEY, gateway tokens). */
  tokens?: { name: string; value: string }[];
  /** Whether logs redact secrets (`logging.redact`). */
  redaction?: boolean;
  /** The agent's core files (soul.md, CLAUDE.md, …) to read for prompt injection. */
  coreFiles?: string[];
}

const octal = (m: number) => `0${(m & 0o7777).toString(8)}`;
const MIN_TOKEN_BYTES = 32;

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function permFindings(path: string, st: Stats, kind: 'state_dir' | 'state_file' | 'config_dir' | 'config_file'): AuditFinding[] {
  const out: AuditFinding[] = [];
  const mode = st.mode & 0o777;
  const dir = kind.endsWith('_dir');
  const want = dir ? mode & 0o700 : mode & 0o600;
  const fix = (id: string, severity: AuditSeverity, what: string) =>
    out.push({
      id, severity, path, fixMode: want,
      message: `${path} is ${what} (mode ${octal(mode)})`,
      remediation: `chmod ${octal(want)} ${path}   (or run gatehouse audit --fix)`,
      evidence: { mode: octal(mode) },
    });
  if (mode & 0o002) fix(`perm.${kind}.world_writable`, 'critical', 'world-writable');
  else if (mode & 0o020) fix(`perm.${kind}.group_writable`, 'critical', 'group-writable');
  else if (mode & 0o004) fix(`perm.${kind}.world_readable`, 'warn', 'world-readable');
  else if (mode & 0o040) fix(`perm.${kind}.group_readable`, 'warn', 'group-readable');
  return out;
}

function auditStateDir(dir: string): AuditFinding[] {
  const st = lstatOrNull(dir);
  if (!st) return [{ id: 'state_dir.missing', severity: 'info', path: dir, message: `state directory ${dir} does not exist yet`, remediation: 'start gatehouse once; it creates the directory 0700' }];
  if (st.isSymbolicLink()) {
    return [{ id: 'symlink.state_dir', severity: 'critical', path: dir, message: `state directory ${dir} is a symlink`, remediation: `replace the link with a real directory (mkdir -m 700 ${dir}) and move the state into it` }];
  }
  const out = permFindings(dir, st, 'state_dir');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    out.push({ id: 'state_dir.unreadable', severity: 'warn', path: dir, message: `cannot list ${dir}`, remediation: 'run the audit as the user that owns the state directory' });
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    const s = lstatOrNull(p);
    if (!s) continue;
    if (s.isSymbolicLink()) {
      out.push({ id: 'symlink.state_file', severity: 'critical', path: p, message: `${p} is a symlink; a state file must be a regular file`, remediation: `remove the link (rm ${p}); gatehouse recreates its files` });
    } else if (s.isFile() || s.isSocket()) {
      out.push(...permFindings(p, s, 'state_file'));
    } else if (s.isDirectory()) {
      out.push(...permFindings(p, s, 'state_dir'));
    }
  }
  return out;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return false;
}

const HIDDEN_UNICODE: [string, (c: number) => boolean][] = [
  ['zero-width', (c) => c === 0x200b || c === 0x200c || c === 0x200d || c === 0x2060 || c === 0xfeff],
  ['bidi control', (c) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)],
  ['tag character', (c) => c >= 0xe0000 && c <= 0xe007f],
];

/** Invisible characters that can hide instructions from a human reviewer but not from a model. */
export function findHiddenUnicode(text: string): { kind: string; line: number; codepoint: string }[] {
  const out: { kind: string; line: number; codepoint: string }[] = [];
  let line = 1;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 10) line++;
    // A BOM at the very start is an encoding marker, not hidden text.
    if (c === 0xfeff && out.length === 0 && line === 1 && text.indexOf(ch) === 0) continue;
    for (const [kind, test] of HIDDEN_UNICODE) {
      if (test(c)) {
        out.push({ kind, line, codepoint: `U+${c.toString(16).toUpperCase().padStart(4, '0')}` });
        break;
      }
    }
    if (out.length >= 20) break;
  }
  return out;
}

export function runHostAudit(input: HostAuditInput): AuditFinding[] {
  const out: AuditFinding[] = [];
  if (input.stateDir) out.push(...auditStateDir(input.stateDir));
  for (const d of input.configDirs ?? []) {
    const st = lstatOrNull(d);
    if (st?.isSymbolicLink()) out.push({ id: 'symlink.config_dir', severity: 'warn', path: d, message: `config directory ${d} is a symlink`, remediation: 'make sure the link and its target are owned by you and not writable by others' });
    else if (st) out.push(...permFindings(d, st, 'config_dir'));
  }
  for (const f of input.configFiles ?? []) {
    const st = lstatOrNull(f);
    if (!st) continue;
    if (st.isSymbolicLink()) out.push({ id: 'symlink.config_file', severity: 'warn', path: f, message: `config file ${f} is a symlink`, remediation: 'replace it with a regular file (0600)' });
    else out.push(...permFindings(f, st, 'config_file'));
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const s of findSecrets(text)) {
      out.push({
        id: 'config.secret', severity: 'critical', path: f,
        message: `${s.provider === 'generic' ? 'a secret' : `a ${s.provider} secret`} is written in ${f}:${s.line} (${s.masked})`,
        remediation: 'move it to the environment and reference it as ${VAR} in the config; rotate the exposed secret',
        evidence: { rule: s.rule, line: s.line, masked: s.masked },
      });
    }
  }
  if (input.bind && !isLoopback(input.bind.host)) {
    const where = `${input.bind.host}${input.bind.port !== undefined ? `:${input.bind.port}` : ''}`;
    if (!input.bind.auth) {
      out.push({ id: 'api.exposed_without_auth', severity: 'critical', message: `the API listens on ${where}, beyond loopback, without authentication`, remediation: 'bind to 127.0.0.1 (api.host) or enable token authentication' });
    } else {
      out.push({ id: 'api.non_loopback', severity: 'warn', message: `the API listens on ${where}, beyond loopback`, remediation: 'prefer 127.0.0.1 behind an SSH tunnel or a reverse proxy with TLS' });
    }
  }
  for (const t of input.tokens ?? []) {
    const bytes = tokenBytes(t.value);
    if (bytes < MIN_TOKEN_BYTES) {
      out.push({ id: 'token.short', severity: 'warn', message: `${t.name} carries ${bytes} bytes of key material (under ${MIN_TOKEN_BYTES})`, remediation: `replace it with ${MIN_TOKEN_BYTES} random bytes, e.g. openssl rand -base64 32`, evidence: { name: t.name, bytes } });
    }
  }
  if (input.redaction === false) {
    out.push({ id: 'logging.redaction_disabled', severity: 'warn', message: 'log redaction is off: tokens and keys can reach the logs', remediation: 'set logging.redact: true' });
  }
  for (const f of input.coreFiles ?? []) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const hit of findPromptInjection(text)) {
      out.push({ id: 'injection.pattern', severity: 'warn', path: f, message: `${f} contains a prompt-injection pattern (${hit.pattern})`, remediation: 'review the file; restore it from a trusted copy if you did not write this', evidence: { pattern: hit.pattern, excerpt: hit.excerpt.slice(0, 160) } });
    }
    const hidden = findHiddenUnicode(text);
    if (hidden.length) {
      out.push({ id: 'injection.hidden_unicode', severity: 'warn', path: f, message: `${f} contains ${hidden.length}${hidden.length >= 20 ? '+' : ''} invisible character(s) (${[...new Set(hidden.map((h) => h.kind))].join(', ')}) from line ${hidden[0]!.line}`, remediation: 'show them with `cat -A` and remove them; invisible text can carry instructions a reviewer cannot see', evidence: { first: hidden.slice(0, 5) } });
    }
  }
  return out;
}

/** Bytes of key material: base64/base64url and hex are decoded, anything else counts as text. */
export function tokenBytes(value: string): number {
  const v = value.trim();
  if (/^[0-9a-f]+$/i.test(v) && v.length % 2 === 0 && v.length >= 16) return v.length / 2;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && v.length >= 16) return Math.floor((v.replace(/=+$/, '').length * 6) / 8);
  return Buffer.byteLength(v);
}

export interface FixResult {
  fixed: { path: string; from: string; to: string }[];
  failed: { path: string; error: string }[];
}

/** Tightens the permissions named by the findings; never loosens, never touches anything else. */
export function fixHostAudit(findings: AuditFinding[]): FixResult {
  const res: FixResult = { fixed: [], failed: [] };
  for (const f of findings) {
    if (f.fixMode === undefined || !f.path) continue;
    try {
      const st = lstatSync(f.path);
      if (st.isSymbolicLink()) throw new Error('is a symlink; not following it');
      const cur = st.mode & 0o777;
      const next = cur & f.fixMode & 0o777;
      if (next === cur) continue;
      chmodSync(f.path, next);
      res.fixed.push({ path: f.path, from: octal(cur), to: octal(next) });
    } catch (err) {
      res.failed.push({ path: f.path, error: (err as Error).message });
    }
  }
  return res;
}

/**
 * The audit input for a gatehouse host: its state dir, config file and directory, the REST API's
 * binding (gatehouse always requires its token, so auth is "has a token"), token lengths, log
 * redaction, and the configured core files.
 */
export function hostAuditInputFor(opts: {
  stateDir: string;
  configPath?: string;
  config: { api?: { enabled?: boolean; host?: string; port?: number }; logging?: { redact?: boolean } };
  apiToken?: string;
  env?: Record<string, string | undefined>;
  coreFiles?: string[];
}): HostAuditInput {
  const tokens: { name: string; value: string }[] = [];
  if (opts.apiToken !== undefined) tokens.push({ name: 'api-token', value: opts.apiToken });
  const approvalKey = opts.env?.APPROVAL_API_KEY;
  if (approvalKey) tokens.push({ name: 'APPROVAL_API_KEY', value: approvalKey });
  const api = opts.config.api;
  return {
    stateDir: opts.stateDir,
    ...(opts.configPath ? { configFiles: [opts.configPath], configDirs: [join(opts.configPath, '..')] } : {}),
    ...(api?.enabled !== false ? { bind: { host: api?.host ?? '127.0.0.1', ...(api?.port !== undefined ? { port: api.port } : {}), auth: Boolean(opts.apiToken) } } : {}),
    tokens,
    ...(opts.config.logging?.redact !== undefined ? { redaction: opts.config.logging.redact } : {}),
    coreFiles: opts.coreFiles ?? [],
  };
}
