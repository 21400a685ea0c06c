// The checks behind `gatehouse doctor`: state dir permissions, stale lock, config validity, database integrity.
import { existsSync, lstatSync } from 'node:fs';
import { loadConfig } from '../engine/config/config.js';
import { inspectLock } from '../engine/store/lock.js';
import { STATE_FILES, statePath } from '../engine/store/stateDir.js';
import { openStore } from '../engine/store/store.js';
import { stateDirOf, type GlobalArgs } from './context.js';
import { stateDirAccessProblem } from './stateAccess.js';

export interface Check {
  id: string;
  ok: boolean;
  message: string;
}

export function runDoctor(argv: GlobalArgs): Check[] {
  const dir = stateDirOf(argv);
  const checks: Check[] = [];
  const problem = stateDirAccessProblem(dir);
  if (problem) {
    // Nothing under it can be checked by this user: say so, instead of "no engine running".
    checks.push({ id: 'state_dir', ok: false, message: problem });
  } else if (!existsSync(dir)) {
    checks.push({ id: 'state_dir', ok: true, message: `${dir} does not exist yet (created 0700 at first start)` });
  } else {
    const st = lstatSync(dir);
    const bad = st.isSymbolicLink() ? 'is a symlink' : (st.mode & 0o077) !== 0 ? `has mode ${(st.mode & 0o777).toString(8)} (want 700)` : null;
    checks.push({ id: 'state_dir', ok: !bad, message: bad ? `${dir} ${bad}` : `${dir} is 0700` });
    for (const key of Object.keys(STATE_FILES) as Array<keyof typeof STATE_FILES>) {
      if (key === 'logs') continue;
      const p = statePath(dir, key);
      if (!existsSync(p)) continue;
      const s = lstatSync(p);
      if (s.isSymbolicLink()) checks.push({ id: `file.${key}`, ok: false, message: `${p} is a symlink` });
      else if ((s.mode & 0o077) !== 0) checks.push({ id: `file.${key}`, ok: false, message: `${p} has mode ${(s.mode & 0o777).toString(8)} (want 600)` });
    }
    const lock = inspectLock(statePath(dir, 'lock'));
    if (lock) {
      checks.push(
        lock.alive
          ? { id: 'lock', ok: true, message: `engine running (pid ${lock.payload?.pid})` }
          : { id: 'lock', ok: false, message: `stale lock${lock.payload ? ` of dead pid ${lock.payload.pid}` : ' (unreadable)'}: the next start takes it over` },
      );
    } else checks.push({ id: 'lock', ok: true, message: 'no engine running' });
    if (existsSync(statePath(dir, 'db'))) {
      try {
        const db = openStore(dir, { readonly: true });
        const r = db.pragma('integrity_check', { simple: true });
        db.close();
        checks.push({ id: 'db', ok: r === 'ok', message: r === 'ok' ? 'database integrity ok' : `database integrity: ${String(r)}` });
      } catch (err) {
        checks.push({ id: 'db', ok: false, message: `database: ${(err as Error).message}` });
      }
    }
  }
  try {
    const { file } = loadConfig(argv.config);
    checks.push({ id: 'config', ok: true, message: file ? `${file} is valid` : 'no config file (defaults)' });
  } catch (err) {
    checks.push({ id: 'config', ok: false, message: (err as Error).message });
  }
  return checks;
}

