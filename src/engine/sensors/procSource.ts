// The /proc source, for hosts without audit: a sweep every interval sees new processes (an exec event
// each, with argv and executable), and for the processes of registered agents the files they hold
// open and their TCP connections (matched by socket inode). It sees what lives at least one interval:
// a process that starts and ends between two sweeps is missed, and so is a file read and closed in
// between. Every sweep also teaches the process tree its parents.
import { isAbsolute } from 'node:path';
import { listPids, openFiles, readArgv, readExe, readProcStat, readTcpTable, socketInodes } from './procStat.js';
import type { ProcessTree } from './processTree.js';
import { programOf, type SensorEvent } from './sensorEvent.js';

export interface ProcSourceOptions {
  tree: ProcessTree;
  /** Whether a process's files and sockets are worth reading (a registered agent's). */
  interesting: (pid: number) => boolean;
  onEvent: (e: SensorEvent) => void;
  intervalMs: number;
  root?: string;
}

const MAX_SEEN = 100_000;

export class ProcSource {
  private timer: NodeJS.Timeout | null = null;
  /** What was already reported: `pid:start|x` an exec, `…|f|path` an open file, `…|s|inode` a socket. */
  private readonly reported = new Set<string>();
  private first = true;
  readonly counts = { sweeps: 0, events: 0 };

  constructor(private readonly opts: ProcSourceOptions) {}

  start(): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  sweep(now = Date.now()): void {
    const root = this.opts.root ?? '/proc';
    this.counts.sweeps++;
    const live = new Set<number>();
    let tcp: ReturnType<typeof readTcpTable> | null = null;
    for (const pid of listPids(root)) {
      const st = readProcStat(pid, root);
      if (!st) continue;
      live.add(pid);
      this.opts.tree.learn(pid, st.ppid, st.startTime);
      const id = `${pid}:${st.startTime}`;
      // The first sweep only learns: what ran before the engine started is not news. A process that
      // started later is reported once it belongs to an agent (it may be registered after it started).
      if (this.first) {
        this.remember(`${id}|x`);
        continue;
      }
      if (!this.opts.interesting(pid)) continue;
      const base = { at: now, pid, ppid: st.ppid, source: 'proc' as const, dest: null };
      if (!this.reported.has(`${id}|x`)) {
        this.remember(`${id}|x`);
        const exe = readExe(pid, root);
        this.emit({ ...base, kind: 'exec', program: programOf(exe, st.comm), argv: readArgv(pid, root) ?? [st.comm], path: exe, ref: id });
      }
      for (const path of openFiles(pid, root)) {
        const key = `${id}|f|${path}`;
        if (!isAbsolute(path) || this.reported.has(key)) continue;
        this.remember(key);
        this.emit({ ...base, kind: 'open', program: programOf(readExe(pid, root), st.comm), argv: [], path, ref: id });
      }
      const inodes = socketInodes(pid, root);
      if (inodes.size) {
        tcp ??= readTcpTable(root);
        for (const inode of inodes) {
          const t = tcp.get(inode);
          const key = `${id}|s|${inode}`;
          if (!t || this.reported.has(key)) continue;
          this.remember(key);
          this.emit({ ...base, kind: 'connect', program: programOf(readExe(pid, root), st.comm), argv: [], path: null, dest: t.remote, ref: id });
        }
      }
    }
    this.first = false;
    this.opts.tree.prune(live);
  }

  private remember(key: string): void {
    if (this.reported.size >= MAX_SEEN) this.reported.clear();
    this.reported.add(key);
  }

  private emit(e: SensorEvent): void {
    this.counts.events++;
    this.opts.onEvent(e);
  }
}
