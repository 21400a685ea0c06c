// Whether this user can use a state dir, said plainly: "cannot read the state dir as user X" instead of
// "no engine is running" (status), "all ok" (doctor) or a raw EACCES/EEXIST (run).
import { accessSync, constants, readFileSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';

function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The owner's name from /etc/passwd (world-readable), which helps more than a number. */
function ownerName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    return line ? `user ${line.split(':')[0]}` : `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  return 'non-directory';
}

/** Null when the dir is usable by this user or does not exist yet; else what is wrong and what to do. */
export function stateDirAccessProblem(dir: string): string | null {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EACCES') return `cannot read the state dir ${dir} as user ${whoAmI()}: a directory above it is closed to this user; run gatehouse as the user who runs the engine`;
    if (code === 'ENOTDIR') return `the state dir ${dir} cannot exist: a path above it is a file, not a directory; give another --state-dir`;
    return `cannot read the state dir ${dir} as user ${whoAmI()}: ${(err as Error).message}`;
  }
  if (!st.isDirectory()) return `the state dir ${dir} is a ${kindOf(st)}, not a directory; give a directory to --state-dir (or $GATEHOUSE_STATE_DIR)`;
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
  } catch {
    return `cannot read the state dir ${dir} as user ${whoAmI()}: it belongs to ${ownerName(st.uid)} (mode ${(st.mode & 0o777).toString(8)}); run gatehouse as that user`;
  }
  return null;
}
