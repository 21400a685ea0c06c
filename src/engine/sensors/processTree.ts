// Which registered agent a process belongs to: the agent's own pid, or any descendant of it. Parents
// are learned from every event and every /proc sweep, and a process keeps the agent it was first
// seen with, so a child still counts after its parent exits and it is re-parented to init. A pid
// seen again with another start time or parent is a new process (pid reuse).
import type { ProcStat } from './procStat.js';

const MAX_DEPTH = 128;
const MAX_KNOWN = 65_536;

interface Known {
  ppid: number;
  startTime: number | null;
  agent: string | null | undefined;
}

export class ProcessTree {
  private readonly known = new Map<number, Known>();
  private roots = new Map<number, string>();

  constructor(private readonly readStat: (pid: number) => ProcStat | null) {}

  /** The registered agents' own processes (pid → agent name). */
  setRoots(roots: Map<number, string>): void {
    this.roots = roots;
    // An agent registered after its children were seen: their attribution is computed again.
    for (const k of this.known.values()) if (k.agent === null) k.agent = undefined;
  }

  /** Learns that pid's parent is ppid (from an event or a sweep); a changed parent or start time is a new process. */
  learn(pid: number, ppid: number, startTime: number | null = null): void {
    const k = this.known.get(pid);
    if (k && k.ppid === ppid && (startTime === null || k.startTime === null || k.startTime === startTime)) {
      if (startTime !== null) k.startTime = startTime;
      return;
    }
    if (k && k.ppid !== ppid && ppid === 1 && k.agent) return; // re-parented to init: still the agent's
    if (this.known.size >= MAX_KNOWN) this.known.delete(this.known.keys().next().value!);
    this.known.set(pid, { ppid, startTime, agent: undefined });
  }

  /** The agent a process belongs to, or null. */
  agentOf(pid: number): string | null {
    const root = this.roots.get(pid);
    if (root) return root;
    const seen: Known[] = [];
    let cur = pid;
    let agent: string | null = null;
    for (let depth = 0; depth < MAX_DEPTH && cur > 1; depth++) {
      const r = this.roots.get(cur);
      if (r) {
        agent = r;
        break;
      }
      let k = this.known.get(cur);
      if (k?.agent !== undefined && k !== undefined) {
        agent = k.agent;
        break;
      }
      if (!k) {
        const st = this.readStat(cur);
        if (!st) break;
        this.learn(cur, st.ppid, st.startTime);
        k = this.known.get(cur)!;
      }
      seen.push(k);
      cur = k.ppid;
    }
    for (const k of seen) k.agent = agent;
    return agent;
  }

  /** Forgets processes that are gone (the sweep passes the live pids). */
  prune(live: Set<number>): void {
    for (const pid of this.known.keys()) if (!live.has(pid)) this.known.delete(pid);
  }

  get size(): number {
    return this.known.size;
  }
}
