// Follows a growing log file like `tail -F`: reads appended lines, and survives rotation
// (rename + recreate: the old file is drained, then the new one is read from its start) and
// truncation (reading restarts at 0). Polling, because fs.watch misses renames on some filesystems.
// Several rotations between two polls (a stalled process, a burst of SIGUSR1 to auditd) are
// caught up too where the rotated files are numbered (`log.1`, `log.2`, … newest first, as auditd
// and logrotate name them): the files between the one we held and the new one are read whole.
import { open, stat, type FileHandle } from 'node:fs/promises';

/** How far down the numbered rotations the file we held is looked for. */
const MAX_ROTATIONS_SEARCHED = 99;

export interface FollowOptions {
  /** Poll interval in ms (default 250). */
  intervalMs?: number;
  /** Start at the beginning of the existing file instead of its end (default false). */
  fromStart?: boolean;
  /** Called when the file was rotated or truncated (the auditor restarts line numbers). */
  onReset?: (why: 'rotated' | 'truncated') => void;
  /** Read errors other than "file missing" (which is waited out during rotation). */
  onError?: (err: Error) => void;
  /** Longest partial line kept waiting for its newline; longer ones are flushed as a line. */
  maxLineBytes?: number;
}

export interface LogFollower {
  /** Resolves after the current poll finishes and the file is closed. */
  stop(): Promise<void>;
  /** Runs one poll now (tests use it to avoid waiting on timers). */
  poll(): Promise<void>;
}

export function followLog(path: string, onLine: (line: string) => void, opts: FollowOptions = {}): LogFollower {
  const interval = opts.intervalMs ?? 250;
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  let fh: FileHandle | null = null;
  let ino = -1;
  let pos = 0;
  let partial: Buffer = Buffer.alloc(0);
  let stopped = false;
  let first = true;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const buf = Buffer.allocUnsafe(1 << 16);

  const emit = (chunk: Buffer) => {
    let data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      onLine(data.toString('utf8', start, nl));
      start = nl + 1;
    }
    data = data.subarray(start);
    if (data.length > maxLine) {
      onLine(data.toString('utf8'));
      data = Buffer.alloc(0);
    }
    partial = Buffer.from(data);
  };

  /** Emits what `h` holds from `from` to its end, telling `advanced` after each read (a failed read is not read again). */
  const readFrom = async (h: FileHandle, from: number, advanced: (at: number) => void = () => undefined): Promise<void> => {
    for (let at = from; ; ) {
      const { bytesRead } = await h.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      advanced(at);
      emit(buf.subarray(0, bytesRead));
    }
  };

  const drain = async () => {
    if (fh) await readFrom(fh, pos, (at) => (pos = at));
  };

  /** Every line of a whole file we never held (a rotation that came and went between two polls). */
  const readWhole = async (name: string, expectIno: number): Promise<void> => {
    const h = await open(name, 'r').catch(() => null);
    if (!h) return;
    try {
      if ((await h.stat()).ino !== expectIno) return; // renamed again meanwhile: not the file we listed
      await readFrom(h, 0);
      if (partial.length) emit(Buffer.from('\n'));
    } finally {
      await h.close().catch(() => undefined);
    }
  };

  /** The numbered rotations newer than the file we held (whose inode is `held`), oldest first. */
  const missedRotations = async (held: number, current: number): Promise<Array<{ name: string; ino: number }>> => {
    const newer: Array<{ name: string; ino: number }> = [];
    for (let n = 1; n <= MAX_ROTATIONS_SEARCHED; n++) {
      const name = `${path}.${n}`;
      const st = await stat(name).catch(() => null);
      if (!st) return []; // the held file is not among them (deleted, or another naming): nothing can be said
      if (st.ino === held) return newer.reverse();
      if (st.ino !== current) newer.push({ name, ino: st.ino });
    }
    return [];
  };

  const closeCurrent = async () => {
    if (fh) await fh.close().catch(() => undefined);
    fh = null;
  };

  const once = async () => {
    if (stopped) return;
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      // Missing between rename and recreate: drain what the old handle still has, then wait.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // A file that appears later is read from its start: all of it is new.
        first = false;
        await drain().catch(() => undefined);
        return;
      }
      throw err;
    }
    if (fh && st.ino !== ino) {
      await drain();
      if (partial.length) emit(Buffer.from('\n'));
      // The new file is opened before the rotated ones are listed, so a rotation meanwhile is not lost
      // between them; the held one stays open while they are looked for, so its inode is not reused.
      const next = await open(path, 'r').catch(() => null);
      const nextIno = next ? (await next.stat()).ino : st.ino;
      const missed = await missedRotations(ino, nextIno);
      await closeCurrent();
      for (const m of missed) {
        opts.onReset?.('rotated');
        await readWhole(m.name, m.ino);
      }
      opts.onReset?.('rotated');
      fh = next;
      ino = nextIno;
      pos = 0;
      if (!fh) return; // gone again already: the next poll opens whatever has the name then
    }
    if (!fh) {
      fh = await open(path, 'r');
      const fst = await fh.stat();
      ino = fst.ino;
      if (first && !opts.fromStart) pos = fst.size;
      first = false;
    }
    const size = (await fh.stat()).size;
    if (size < pos) {
      partial = Buffer.alloc(0);
      pos = 0;
      opts.onReset?.('truncated');
    }
    await drain();
  };

  const poll = (): Promise<void> => {
    running = running.then(once).catch((err: unknown) => opts.onError?.(err as Error));
    return running;
  };

  const tick = () => {
    if (stopped) return;
    void poll().finally(() => {
      if (!stopped) timer = setTimeout(tick, interval);
    });
  };
  tick();

  return {
    poll,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await closeCurrent();
    },
  };
}
