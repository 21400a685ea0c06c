// Which registered agent a process belongs to: the agent's own pid, or any descendant of it. Parents
// are learned from every event and every /proc sweep, and a process keeps the agent it was first
// seen with, so a child still counts after its parent exits and it is re-parented to init. A pid
// seen again with another start time or parent is a new process (pid reuse).
// What is gone is remembered for a while (GONE_GRACE_MS): a source reports what happened late (audit
// records are read after the fact), so the last execs of an agent that has just exited, or of a child
// whose parent already ended, are still the agent's.
import type { ProcStat } from './procStat.js';

const MAX_DEPTH = 128;
const MAX_KNOWN = 65_536;
/** How long an exited process, or the pid of an agent that went away, still attributes late events. */
export const GONE_GRACE_MS = 60_000;

interface Known {
  ppid: number;
  startTime: number | null;
  agent: string | null | undefined;
  /** When it was first found gone (not in a sweep, or its agent deregistered); null while it lives. */
  goneAt: number | null;
}

export class ProcessTree {
  private readonly known = new Map<number, Known>();
  private roots = new Map<number, string>();
  /** Pids of agents that went away, and when: their processes' late events are still theirs for the grace. */
  private readonly goneRoots = new Map<number, { agent: string; at: number }>();

  constructor(private readonly readStat: (pid: number) => ProcStat | null) {}

  /** The registered agents' own processes (pid → agent name). An agent's pid that leaves the roots is
   * remembered as that agent's for the grace period, for the events of its processes still on their way. */
  setRoots(roots: Map<number, string>, now = Date.now()): void {
    for (const [pid, agent] of this.roots) if (!roots.has(pid)) this.goneRoots.set(pid, { agent, at: now });
    for (const pid of roots.keys()) {
      this.goneRoots.delete(pid);
      // Its parent and start time are known from now on, so another process that gets the pid later is told apart.
      const st = this.known.has(pid) ? null : this.readStat(pid);
      if (st) this.learn(pid, st.ppid, st.startTime);
    }
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
    if (k) this.goneRoots.delete(pid); // another process has the pid: the agent that had it is not this one
    if (this.known.size >= MAX_KNOWN) this.known.delete(this.known.keys().next().value!);
    this.known.set(pid, { ppid, startTime, agent: undefined, goneAt: null });
  }

  /** The agent a process belongs to, or null. */
  agentOf(pid: number): string | null {
    const root = this.roots.get(pid);
    if (root) return root;
    const seen: Known[] = [];
    let cur = pid;
    let agent: string | null = null;
    for (let depth = 0; depth < MAX_DEPTH && cur > 1; depth++) {
      const r = this.roots.get(cur) ?? this.goneRoots.get(cur)?.agent;
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

  /** Marks the processes that are gone (the sweep passes the live pids) and forgets those gone longer than the grace. */
  prune(live: Set<number>, now = Date.now()): void {
    for (const [pid, k] of this.known) {
      if (live.has(pid)) k.goneAt = null;
      else if (k.goneAt === null) k.goneAt = now;
      else if (now - k.goneAt >= GONE_GRACE_MS) this.known.delete(pid);
    }
    for (const [pid, g] of this.goneRoots) if (now - g.at >= GONE_GRACE_MS) this.goneRoots.delete(pid);
  }

  get size(): number {
    return this.known.size;
  }
}
