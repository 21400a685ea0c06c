import { describe, expect, it } from 'vitest';
import { GONE_GRACE_MS, ProcessTree } from '../../../src/engine/sensors/processTree.js';
import { parseProcNetTcp, parseProcStat, type ProcStat } from '../../../src/engine/sensors/procStat.js';

function fakeProc(entries: Array<[number, number]>) {
  const m = new Map(entries.map(([pid, ppid]) => [pid, { pid, ppid, comm: 'x', startTime: pid * 10 } as ProcStat]));
  return { m, read: (pid: number) => m.get(pid) ?? null };
}

describe('process tree attribution', () => {
  it('the agent pid and every descendant belong to the agent; others do not', () => {
    const p = fakeProc([[10, 1], [11, 10], [12, 11], [20, 1]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]));
    expect([10, 11, 12, 20].map((pid) => t.agentOf(pid))).toEqual(['bot', 'bot', 'bot', null]);
  });

  it('a child keeps its agent after the parent exits and it is re-parented to init', () => {
    const p = fakeProc([[10, 1], [11, 10], [12, 11]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]));
    expect(t.agentOf(12)).toBe('bot');
    p.m.delete(11);
    t.learn(12, 1, 120);
    expect(t.agentOf(12)).toBe('bot');
  });

  it('a reused pid with another parent is a new process', () => {
    const p = fakeProc([[10, 1], [11, 10]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]));
    expect(t.agentOf(11)).toBe('bot');
    t.learn(11, 30, 999);
    p.m.set(30, { pid: 30, ppid: 1, comm: 'y', startTime: 1 });
    expect(t.agentOf(11)).toBeNull();
  });

  it('an agent registered after its child was seen owns it from then on', () => {
    const p = fakeProc([[10, 1], [11, 10]]);
    const t = new ProcessTree(p.read);
    expect(t.agentOf(11)).toBeNull();
    t.setRoots(new Map([[10, 'late']]));
    expect(t.agentOf(11)).toBe('late');
  });

  it('events that arrive after the agent exited are still its own for the grace period, then not', () => {
    const p = fakeProc([[10, 1], [11, 10]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]), 0);
    p.m.delete(10);
    p.m.delete(11);
    t.setRoots(new Map(), 1_000); // the agent is gone; the exec of its last child is read after that
    t.learn(12, 10);
    expect(t.agentOf(12)).toBe('bot');
    t.learn(13, 12);
    expect(t.agentOf(13)).toBe('bot'); // a grandchild whose parent already exited and was swept away
    t.prune(new Set(), 2_000);
    t.prune(new Set(), 2_000 + GONE_GRACE_MS);
    t.learn(14, 10);
    expect(t.agentOf(14)).toBeNull();
  });

  it('a process that takes a gone agent\'s pid within the grace is not the agent', () => {
    const p = fakeProc([[10, 1], [30, 1]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]), 0);
    p.m.delete(10);
    t.setRoots(new Map(), 1_000);
    t.learn(10, 30, 777); // the pid handed out again, to a child of 30
    t.learn(15, 10);
    expect([t.agentOf(10), t.agentOf(15)]).toEqual([null, null]);
  });

  it('a process that exited is remembered for the grace period, then forgotten', () => {
    const p = fakeProc([[10, 1], [11, 10]]);
    const t = new ProcessTree(p.read);
    t.setRoots(new Map([[10, 'bot']]), 0);
    t.learn(11, 10, 110);
    t.prune(new Set([10]), 1_000);
    p.m.delete(11);
    t.learn(12, 11);
    expect(t.agentOf(12)).toBe('bot'); // 11 has exited; its child's late exec is still the agent's
    t.prune(new Set([10]), 1_000 + GONE_GRACE_MS);
    expect(t.size).toBe(2); // 10 and 12 (12 was never swept, so it is not marked gone yet)
  });

  it('a parent loop does not hang it', () => {
    const p = fakeProc([[10, 11], [11, 10]]);
    expect(new ProcessTree(p.read).agentOf(10)).toBeNull();
  });
});

describe('/proc parsing', () => {
  it('reads stat fields after a comm with spaces and parentheses', () => {
    const line = '4242 (my (weird) prog) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'my (weird) prog', ppid: 17, startTime: 987654 });
    expect(parseProcStat('nonsense')).toBeNull();
  });

  it('reads established and connecting TCP entries from tcp and tcp6', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0',
      '   1: 0100007F:D2F0 0200007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNetTcp(tcp, false)).toEqual([{ inode: '222', remote: { address: '127.0.0.2', port: 80 }, state: '01' }]);
    const tcp6 = [
      'header',
      '   0: 00000000000000000000000001000000:D2F0 0000000000000000FFFF00000500000A:1F90 02 00000000:00000000 00:00000000 00000000 0 0 333 1',
    ].join('\n');
    expect(parseProcNetTcp(tcp6, true)).toEqual([{ inode: '333', remote: { address: '::ffff:10.0.0.5', port: 8080 }, state: '02' }]);
  });
});
