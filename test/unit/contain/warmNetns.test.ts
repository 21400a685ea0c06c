// The wrapper's check of a warm network namespace the engine named, against a fake /proc: it enters only the
// namespace whose inode was named, never its own (the host's), and any error means the cold path.
import { describe, expect, it } from 'vitest';
import { hasSysAdmin, openWarmNetns, type NetnsIo } from '../../../src/cli/warmNetns.js';
import { holderArgs, warmMode, WarmNetworkPool, type WarmHostFacts } from '../../../src/engine/contain/warmNetwork.js';
import { SandboxConfigSchema } from '../../../src/engine/contain/sandboxConfig.js';
import { silentLogger } from '../../../src/engine/platform/logger.js';

const NSFS = 4;
const HOST = 4026531833;

function fakeIo(files: Record<string, { ino: number; dev?: number } | Error>, fail: { fstat?: boolean } = {}) {
  const open = new Map<number, string>();
  const closed: number[] = [];
  let next = 20;
  const io: NetnsIo = {
    open(path) {
      const f = files[path];
      if (!f) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      if (f instanceof Error) throw f;
      open.set(next, path);
      return next++;
    },
    fstat(fd) {
      if (fail.fstat) throw new Error('EIO');
      const f = files[open.get(fd)!] as { ino: number; dev?: number };
      return { ino: f.ino, dev: f.dev ?? NSFS };
    },
    stat(path) {
      const f = files[path] as { ino: number; dev?: number };
      return { ino: f.ino, dev: f.dev ?? NSFS };
    },
    close(fd) {
      closed.push(fd);
    },
  };
  return { io, closed };
}

describe('openWarmNetns', () => {
  const self = { '/proc/self/ns/net': { ino: HOST } };

  it('opens the named namespace and hands nsenter its own descriptor of it', () => {
    const { io, closed } = fakeIo({ ...self, '/proc/300/ns/net': { ino: 4026532500 } });
    const ns = openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, io, 77)!;
    expect(ns).not.toBeNull();
    expect(ns.path).toBe(`/proc/77/fd/${ns.fd}`);
    ns.close();
    expect(closed).toEqual([ns.fd]);
  });

  it("refuses the host's own namespace, even when the engine names its inode", () => {
    const { io, closed } = fakeIo({ ...self, '/proc/300/ns/net': { ino: HOST } });
    expect(openWarmNetns({ netns_pid: 300, netns_ino: HOST }, io)).toBeNull();
    expect(closed).toHaveLength(1);
  });

  it('refuses a pid whose namespace is not the one named (a reused pid, a holder replaced)', () => {
    const { io, closed } = fakeIo({ ...self, '/proc/300/ns/net': { ino: 4026532999 } });
    expect(openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, io)).toBeNull();
    expect(closed).toHaveLength(1);
  });

  it('refuses a file that is not a namespace (another filesystem with the same inode number)', () => {
    const { io } = fakeIo({ ...self, '/proc/300/ns/net': { ino: 4026532500, dev: 99 } });
    expect(openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, io)).toBeNull();
  });

  it('falls back on every error: a holder gone, an unreadable file, nonsense from the engine', () => {
    expect(openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, fakeIo(self).io)).toBeNull();
    expect(openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, fakeIo({ ...self, '/proc/300/ns/net': new Error('EACCES') }).io)).toBeNull();
    const broken = fakeIo({ ...self, '/proc/300/ns/net': { ino: 4026532500 } }, { fstat: true });
    expect(openWarmNetns({ netns_pid: 300, netns_ino: 4026532500 }, broken.io)).toBeNull();
    expect(broken.closed).toHaveLength(1);
    const any = fakeIo({ ...self, '/proc/1/ns/net': { ino: 5 }, '/proc/300/ns/net': { ino: 5 } }).io;
    for (const w of [null, undefined, { netns_pid: 1, netns_ino: 5 }, { netns_pid: 0, netns_ino: 5 }, { netns_pid: -3, netns_ino: 5 }, { netns_pid: 1.5, netns_ino: 5 }, { netns_pid: 300, netns_ino: 0 }, { netns_pid: '300', netns_ino: 5 } as never]) {
      expect(openWarmNetns(w, any), JSON.stringify(w)).toBeNull();
    }
  });
});

describe('openWarmNetns, a wrapper that is not root', () => {
  const self = { '/proc/self/ns/net': { ino: HOST }, '/proc/self/ns/user': { ino: 4026531837 } };
  const slot = { netns_pid: 300, netns_ino: 4026532500, userns_ino: 4026532400 };

  it("opens the holder's user namespace and its network namespace, both checked, and hands nsenter both", () => {
    const { io, closed } = fakeIo({ ...self, '/proc/300/ns/user': { ino: 4026532400 }, '/proc/300/ns/net': { ino: 4026532500 } });
    const ns = openWarmNetns(slot, io, 77, 'userns')!;
    expect(ns).not.toBeNull();
    expect(ns.path).toBe(`/proc/77/fd/${ns.fd}`);
    expect(ns.userPath).toMatch(/^\/proc\/77\/fd\/\d+$/);
    expect(ns.userPath).not.toBe(ns.path);
    ns.close();
    expect(closed).toHaveLength(2);
  });

  it('goes cold without a user namespace named (a root engine), with the wrong one, its own, or one it may not open', () => {
    const files = { ...self, '/proc/300/ns/user': { ino: 4026532400 }, '/proc/300/ns/net': { ino: 4026532500 } };
    const cases: Array<[typeof slot | Record<string, number>, Record<string, { ino: number; dev?: number } | Error>]> = [
      [{ netns_pid: 300, netns_ino: 4026532500 }, files],
      [{ ...slot, userns_ino: 0 }, files],
      [{ ...slot, userns_ino: 4026532401 }, files],
      [{ ...slot, userns_ino: 4026531837 }, { ...files, '/proc/300/ns/user': { ino: 4026531837 } }],
      [slot, { ...files, '/proc/300/ns/user': { ino: 4026532400, dev: 99 } }],
      // Another uid's holder: /proc/PID/ns/user cannot be opened (EACCES).
      [slot, { ...files, '/proc/300/ns/user': new Error('EACCES') }],
      // The right user namespace, a forged network namespace: the opened user namespace is closed again.
      [{ ...slot, netns_ino: 4026532501 }, files],
      [slot, { ...files, '/proc/300/ns/net': { ino: HOST } }],
    ];
    for (const [w, f] of cases) {
      const { io, closed } = fakeIo(f);
      let opened = 0;
      const counting: NetnsIo = { ...io, open: (p) => { const fd = io.open(p); opened++; return fd; } };
      expect(openWarmNetns(w as never, counting, 77, 'userns'), JSON.stringify(w)).toBeNull();
      // Whatever was opened is closed again.
      expect(closed.length, JSON.stringify(w)).toBe(opened);
    }
  });
});

describe('hasSysAdmin', () => {
  it("reads CAP_SYS_ADMIN (bit 21) from CapEff; a root without it (a container's) does not enter", () => {
    expect(hasSysAdmin('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n')).toBe(true);
    expect(hasSysAdmin('CapEff:\t00000000a80425fb\n')).toBe(false);
    expect(hasSysAdmin('CapEff:\t0000000000200000\n')).toBe(true);
    expect(hasSysAdmin('CapPrm:\t000001ffffffffff\n')).toBe(false);
    expect(hasSysAdmin('')).toBe(false);
  });
});

describe('the warm network pool', () => {
  it('is off with warm_network 0 or when it cannot be used, and says why; nothing is started', () => {
    const zero = new WarmNetworkPool('/nonexistent/egress', 0, silentLogger(), 'root');
    zero.start();
    expect(zero.status()).toEqual({ size: 0, ready: 0, in_use: 0, off: 'sandbox.warm_network is 0', mode: null });
    expect(zero.claim()).toBeNull();
    const user = new WarmNetworkPool('/nonexistent/egress', 1, silentLogger(), { off: 'the engine does not run as root and …' });
    user.start();
    expect(user.status().off).toMatch(/not run as root/);
    expect(user.claim()).toBeNull();
  });

  it('runs as root; not root, in user namespaces where the kernel allows them unprivileged and nsenter is there', () => {
    const facts = (o: Partial<WarmHostFacts> & { files?: Record<string, string> }): WarmHostFacts => ({
      uid: 1000,
      hasNsenter: true,
      sysctl: (p) => (o.files ?? { '/proc/sys/user/max_user_namespaces': '96367' })[p] ?? null,
      ...o,
    });
    expect(warmMode(facts({ uid: 0, files: {} }))).toBe('root');
    expect(warmMode(facts({}))).toBe('userns');
    expect(warmMode(facts({ files: { '/proc/sys/user/max_user_namespaces': '96367', '/proc/sys/kernel/unprivileged_userns_clone': '1' } }))).toBe('userns');
    expect(warmMode(facts({ files: { '/proc/sys/user/max_user_namespaces': '0' } }))).toEqual({ off: expect.stringMatching(/max_user_namespaces is 0/) });
    expect(warmMode(facts({ files: {} }))).toEqual({ off: expect.stringMatching(/max_user_namespaces is missing/) });
    expect(warmMode(facts({ files: { '/proc/sys/user/max_user_namespaces': '5', '/proc/sys/kernel/unprivileged_userns_clone': '0' } }))).toEqual({ off: expect.stringMatching(/unprivileged_userns_clone is 0/) });
    expect(warmMode(facts({ hasNsenter: false }))).toEqual({ off: expect.stringMatching(/nsenter/) });
  });

  it("a holder that is not root's makes a user namespace of its own and binds /dev/null, not a /dev (which nests a second)", () => {
    const root = holderArgs('/s/warm-1').join(' ');
    expect(root).not.toContain('--unshare-user');
    expect(root).toContain('--dev /dev');
    const user = holderArgs('/s/warm-1', 'userns').join(' ');
    expect(user).toContain('--unshare-user --dev-bind /dev/null /dev/null');
    expect(user).not.toContain('--dev /dev');
    for (const f of ['--unshare-net', '--die-with-parent', '--unshare-pid', '--ro-bind / /', '--info-fd 3']) expect(user).toContain(f);
    // No bridge in the namespace: the proxy port there is the engine's own socket (warmListener.ts).
    for (const args of [root, user]) expect(args).not.toMatch(/socat/);
  });

  it('keeps one spare by default; the config refuses a negative or huge pool', () => {
    expect(SandboxConfigSchema.parse(undefined)).toEqual({ warm_network: 1 });
    expect(SandboxConfigSchema.safeParse({ warm_network: -1 }).success).toBe(false);
    expect(SandboxConfigSchema.safeParse({ warm_network: 100 }).success).toBe(false);
    expect(SandboxConfigSchema.safeParse({ warm: 1 }).success).toBe(false);
  });
});
