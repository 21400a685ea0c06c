// Rewrites an MCP host's config (Claude Desktop claude_desktop_config.json, Claude Code .claude.json
// or .mcp.json) so every stdio server runs through `gatehouse proxy`, and back. Only command and
// args change; env, key order and every other field stay as they were.
import { copyFileSync, existsSync, lstatSync, readFileSync, renameSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface WrapOptions {
  /** How the host should start gatehouse: command and the arguments before "proxy". */
  gatehouse: { command: string; args: string[] };
  agent?: string;
  /** Pinned in every wrapped entry, so the host reaches this engine whatever its own environment. */
  stateDir?: string;
  configPath?: string;
}

type Json = Record<string, unknown>;

export interface ServerEntryRef {
  /** Where it is, e.g. "mcpServers.filesystem" or "projects./home/u/app.mcpServers.db". */
  where: string;
  name: string;
  entry: Json;
}

/** Every mcpServers table in the document: top level and Claude Code's per-project ones. */
export function serverEntries(doc: Json): ServerEntryRef[] {
  const out: ServerEntryRef[] = [];
  const table = (servers: unknown, prefix: string) => {
    if (!servers || typeof servers !== 'object' || Array.isArray(servers)) return;
    for (const [name, entry] of Object.entries(servers as Json)) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry)) out.push({ where: `${prefix}.${name}`, name, entry: entry as Json });
    }
  };
  table(doc.mcpServers, 'mcpServers');
  const projects = doc.projects;
  if (projects && typeof projects === 'object' && !Array.isArray(projects)) {
    for (const [path, project] of Object.entries(projects as Json)) {
      if (project && typeof project === 'object') table((project as Json).mcpServers, `projects.${path}.mcpServers`);
    }
  }
  return out;
}

function isStdio(entry: Json): boolean {
  return typeof entry.command === 'string' && (entry.type === undefined || entry.type === 'stdio') && entry.url === undefined;
}

/** The index of "proxy" in a wrapped entry's args, or -1. */
function proxyIndex(entry: Json): number {
  const args = entry.args;
  if (!Array.isArray(args)) return -1;
  const i = args.indexOf('proxy');
  if (i < 0 || !args.includes('--', i) || !args.includes('--server-name', i)) return -1;
  return i;
}

export function isWrapped(entry: Json): boolean {
  return proxyIndex(entry) >= 0;
}

export interface ChangeReport {
  changed: string[];
  skipped: { where: string; why: string }[];
}

/** Wraps every stdio server in place; already-wrapped ones are left alone (idempotent). */
export function wrapDocument(doc: Json, o: WrapOptions): ChangeReport {
  const report: ChangeReport = { changed: [], skipped: [] };
  for (const { where, name, entry } of serverEntries(doc)) {
    if (!isStdio(entry)) {
      report.skipped.push({ where, why: 'not a stdio server (url/http/sse): nothing to proxy' });
      continue;
    }
    if (isWrapped(entry)) {
      report.skipped.push({ where, why: 'already wrapped' });
      continue;
    }
    const original = [entry.command as string, ...(Array.isArray(entry.args) ? (entry.args as unknown[]).map(String) : [])];
    const hadArgs = Array.isArray(entry.args);
    entry.command = o.gatehouse.command;
    entry.args = [
      ...o.gatehouse.args,
      ...(o.stateDir ? ['--state-dir', o.stateDir] : []),
      ...(o.configPath ? ['--config', o.configPath] : []),
      'proxy',
      '--server-name',
      name,
      ...(o.agent ? ['--agent', o.agent] : []),
      // Remember whether the original had an args key so unwrap can restore it exactly.
      ...(hadArgs ? [] : ['--no-original-args']),
      '--',
      ...original,
    ];
    report.changed.push(where);
  }
  return report;
}

/** Restores every wrapped server in place to the command and args it had. */
export function unwrapDocument(doc: Json): ChangeReport {
  const report: ChangeReport = { changed: [], skipped: [] };
  for (const { where, entry } of serverEntries(doc)) {
    const i = proxyIndex(entry);
    if (i < 0) {
      report.skipped.push({ where, why: 'not wrapped' });
      continue;
    }
    const args = entry.args as string[];
    const sep = args.indexOf('--', i);
    const noArgs = args.slice(i, sep).includes('--no-original-args');
    const original = args.slice(sep + 1);
    if (original.length === 0) {
      report.skipped.push({ where, why: 'wrapped entry has no command after "--"' });
      continue;
    }
    entry.command = original[0];
    if (noArgs && original.length === 1) delete entry.args;
    else entry.args = original.slice(1);
    report.changed.push(where);
  }
  return report;
}

export const BACKUP_SUFFIX = '.gatehouse-backup';

function readConfig(file: string): { text: string; doc: Json; indent: string | number } {
  if (lstatSync(file).isSymbolicLink()) {
    // Following it is fine for reading, but the atomic rename would replace the link with a file.
    throw new Error(`${file} is a symbolic link; run wrap on the file it points to`);
  }
  const text = readFileSync(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const comment = /^\s*(\/\/|\/\*)/m.test(text) ? ' (it has comments, which JSON does not allow; remove them first)' : '';
    throw new Error(`${file} is not valid JSON${comment}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a JSON object with "mcpServers"`);
  const m = /\n([ \t]+)"/.exec(text);
  return { text, doc: doc as Json, indent: m ? m[1]! : 2 };
}

function writeAtomic(file: string, text: string): void {
  const mode = statSync(file).mode & 0o777;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

function serialize(doc: Json, indent: string | number, original: string): string {
  return JSON.stringify(doc, null, indent) + (original.endsWith('\n') ? '\n' : '');
}

export function wrapFile(file: string, o: WrapOptions): ChangeReport & { backup: string | null } {
  const { text, doc, indent } = readConfig(file);
  const report = wrapDocument(doc, o);
  if (report.changed.length === 0) return { ...report, backup: null };
  const backup = `${file}${BACKUP_SUFFIX}`;
  // The backup is the file as it was just before this wrap (an unwrap and a later edit are kept).
  copyFileSync(file, backup);
  writeAtomic(file, serialize(doc, indent, text));
  return { ...report, backup };
}

export function unwrapFile(file: string): ChangeReport & { restoredFromBackup: boolean } {
  const { text, doc, indent } = readConfig(file);
  const backup = `${file}${BACKUP_SUFFIX}`;
  const report = unwrapDocument(doc);
  if (report.changed.length === 0) return { ...report, restoredFromBackup: false };
  const restored = serialize(doc, indent, text);
  // When nothing else changed since wrapping, the backup is byte-for-byte what the user had: use it.
  if (existsSync(backup)) {
    const before = readFileSync(backup, 'utf8');
    let same = false;
    try {
      same = JSON.stringify(JSON.parse(before)) === JSON.stringify(doc);
    } catch {
      same = false;
    }
    if (same) {
      writeAtomic(file, before);
      return { ...report, restoredFromBackup: true };
    }
  }
  writeAtomic(file, restored);
  return { ...report, restoredFromBackup: false };
}
