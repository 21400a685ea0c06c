// The bwrap command line, without running it: what is writable, what is hidden and in which order, what
// the environment keeps.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../../../src/engine/contain/sandbox.js';

describe('buildSandbox', () => {
  const root = mkdtempSync(join(tmpdir(), 'gh-sbx-'));
  const ws = join(root, 'ws');
  const state = join(root, 'state');
  mkdirSync(ws);
  mkdirSync(join(root, 'home', '.ssh'), { recursive: true });
  mkdirSync(state);
  writeFileSync(join(root, 'home', '.netrc'), 'x');
  const spec = {
    section: { mode: 'on' as const, write: ['.', '/'], deny_read: ['~/.ssh', '~/.netrc', '~/.missing', '<state dir>'] },
    workspace: ws,
    stateDir: state,
    home: join(root, 'home'),
    proxySocket: join(state, 'egress', 'x.sock'),
    env: { PATH: '/usr/bin', GATEHOUSE_API_TOKEN: 'tok', APPROVAL_API_KEY: 'k', GATEHOUSE_STATE_DIR: state, NO_PROXY: '*' },
  };
  const b = buildSandbox(['/bin/true'], spec);
  const a = b.args.join(' ');

  it('isolates: namespaces, die-with-parent, read-only root, private /tmp; / is never made writable', () => {
    for (const f of ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-net', '--ro-bind / /', '--tmpfs /tmp', `--bind ${ws} ${ws}`]) expect(a).toContain(f);
    expect(a).not.toContain('--bind / /');
  });

  it('hides directories with a tmpfs and files with /dev/null, binds the proxy socket, then makes the masks read-only', () => {
    const i = (s: string) => a.indexOf(s);
    expect(i(`--tmpfs ${join(root, 'home', '.ssh')}`)).toBeGreaterThan(i(`--bind ${ws}`));
    expect(a).toContain(`--ro-bind /dev/null ${join(root, 'home', '.netrc')}`);
    expect(a).not.toContain('.missing');
    expect(i(`--bind ${spec.proxySocket}`)).toBeGreaterThan(i(`--tmpfs ${state}`));
    expect(i(`--remount-ro ${state}`)).toBeGreaterThan(i(`--bind ${spec.proxySocket}`));
  });

  it("scrubs gatehouse's secrets, keeps the rest, and points every proxy variable at the bridge", () => {
    expect(b.env.GATEHOUSE_API_TOKEN).toBeUndefined();
    expect(b.env.APPROVAL_API_KEY).toBeUndefined();
    expect(b.env.NO_PROXY).toBeUndefined();
    expect(b.env.GATEHOUSE_STATE_DIR).toBe(state);
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) expect(b.env[k]).toBe('http://127.0.0.1:3128');
    // SOCKS5 shares the port; ALL_PROXY stays http:// (httpx fails to build a client for a socks ALL_PROXY without socksio).
    expect(b.env.GATEHOUSE_SOCKS_PROXY).toBe('socks5h://127.0.0.1:3128');
  });

  it('with a warm network namespace: nsenter enters it, bwrap makes no network, neither socket nor socat goes inside', () => {
    const w = buildSandbox(['/bin/true'], { ...spec, warm: { netns: '/proc/42/fd/7' } });
    expect(w.file).toBe('nsenter');
    expect(w.args.slice(0, 3)).toEqual(['--net=/proc/42/fd/7', '--', 'bwrap']);
    const wa = w.args.join(' ');
    for (const f of ['--die-with-parent', '--new-session', '--unshare-pid', '--ro-bind / /', '--tmpfs /tmp', `--tmpfs ${state}`, `--remount-ro ${state}`]) expect(wa).toContain(f);
    expect(wa).not.toContain('--unshare-net');
    expect(wa).not.toContain(spec.proxySocket);
    expect(wa).not.toMatch(/socat|bash/);
    expect(w.args.slice(-2)).toEqual(['--', '/bin/true']);
    expect(w.env.GATEHOUSE_PROXY_SOCKET).toBeUndefined();
    expect(w.env.HTTPS_PROXY).toBe('http://127.0.0.1:3128');
    expect(w.env.GATEHOUSE_API_TOKEN).toBeUndefined();
    // Without network there is nothing to enter: a warm namespace is ignored.
    const none = buildSandbox(['/bin/true'], { ...spec, proxySocket: null, warm: { netns: '/proc/42/fd/7' } });
    expect(none.file).toBe('bwrap');
    expect(none.args).toContain('--unshare-net');
  });

  it("not root: nsenter enters the holder's user namespace, then its network namespace, keeping the run's uid", () => {
    const w = buildSandbox(['/bin/true'], { ...spec, warm: { netns: '/proc/42/fd/7', userns: '/proc/42/fd/6' } });
    expect(w.file).toBe('nsenter');
    expect(w.args.slice(0, 5)).toEqual(['--user=/proc/42/fd/6', '--net=/proc/42/fd/7', '--preserve-credentials', '--', 'bwrap']);
    const wa = w.args.join(' ');
    for (const f of ['--die-with-parent', '--unshare-pid', '--ro-bind / /', `--tmpfs ${state}`]) expect(wa).toContain(f);
    expect(wa).not.toMatch(/--unshare-net|socat/);
  });
});
