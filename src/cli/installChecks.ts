// The checks of `gatehouse doctor` that say whether this install can run at all: Node's version, the
// SQLite native module (compiled at install time when no prebuilt binary could be fetched), and the
// firewall's shell parser with its bash grammar. Each loads what it checks, so a broken install is
// named here instead of failing the first command that needs it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Check } from './doctorChecks.js';

/** The oldest Node the package supports (package.json engines). */
const MIN_NODE: readonly [number, number] = [20, 19];

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return { id: 'node', ok, message: ok ? `node ${process.versions.node}` : `node ${process.versions.node} is too old: gatehouse needs ${MIN_NODE.join('.')} or newer` };
}

async function sqliteCheck(): Promise<Check> {
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    const { v } = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    db.close();
    const dir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    // node-gyp leaves its object files behind; a downloaded prebuilt binary comes without them.
    const how = existsSync(join(dir, 'build', 'Release', 'obj.target')) ? 'compiled on this machine' : 'prebuilt binary';
    return { id: 'sqlite', ok: true, message: `better-sqlite3 ${version} (SQLite ${v}), ${how}` };
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    return {
      id: 'sqlite',
      ok: false,
      message:
        `the SQLite native module (better-sqlite3) does not load: ${first}. Its install script fetches a prebuilt binary or compiles one ` +
        '(needs python3, make and a C++ compiler); npm 11 runs it only when allowed: reinstall with --allow-scripts=better-sqlite3 (README "Install")',
    };
  }
}

async function parserCheck(): Promise<Check> {
  try {
    const [{ parseShell }, { bashGrammarPath }] = await Promise.all([import('../engine/firewall/shellParser.js'), import('../engine/firewall/bashGrammar.js')]);
    const parsed = parseShell('ls -l | wc -l');
    if (parsed.errors.length || parsed.segments.length !== 2) throw new Error(`a test command parsed wrong (${parsed.errors.join('; ') || `${parsed.segments.length} segments`})`);
    return { id: 'shell_parser', ok: true, message: `bash grammar ${bashGrammarPath()}` };
  } catch (err) {
    return { id: 'shell_parser', ok: false, message: `the firewall's shell parser does not load: ${(err as Error).message} (every command would be refused)` };
  }
}

export async function installChecks(): Promise<Check[]> {
  return [nodeCheck(), await sqliteCheck(), await parserCheck()];
}
