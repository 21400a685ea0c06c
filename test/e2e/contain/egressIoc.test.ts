// IoC hosts of signed rule packs in the egress proxy, against a real engine (DESIGN.md §11: "a signed rule
// pack's blocked hosts (IoC) deny", and deny beats allow): a host the network policy allows, and that a
// sandboxed curl reached a moment ago (so its allow is cached), is refused once `gatehouse packs add`
// installs a signed pack that blocks it, with the pack named in the 403 and the ledger.
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import { signRulePack } from '../../../src/engine/monitor/rulePack.js';
import type { ContainSession } from '../../../src/shared/containPolicy.js';
import { cli, startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';
import { runCli, sandboxUsable, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable();

function connectLine(path: string, target: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path);
    let got = '';
    const t = setTimeout(() => s.destroy(), 10_000);
    s.on('data', (d) => {
      got += d;
      if (got.includes('\r\n\r\n')) s.destroy();
    });
    s.on('close', () => (clearTimeout(t), resolve(got)));
    s.on('error', () => {});
    s.write(`CONNECT ${target} HTTP/1.1\r\n\r\n`);
  });
}

describe.skipIf(!usable)('IoC hosts of signed rule packs in the egress proxy', { timeout: 90_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let world: string;
  let local: { server: Server; port: number };
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    stateDir = tempStateDir('gh-ioc-');
    world = worldDir();
    local = await new Promise((r) => {
      const server = createServer((_q, res) => res.end('LOOPBACK-REACHED'));
      server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port }));
    });
    writeFileSync(join(world, 'fetch.sh'), `curl -sS -w '%{http_code}' "$@"\n`);
    writePolicy(
      stateDir,
      ['version: 1', 'policy: allowlist', 'allowlist: ["bash *"]', 'network:', '  default: deny', `  allow: ["localhost:${local.port}", "127.0.0.1:${local.port}", "*.evil.test:*"]`, ''].join('\n'),
    );
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    e = await startEngine({ stateDir, config: `monitor:\n  rules:\n    public_key: |\n${pem.trim().split('\n').map((l) => `      ${l}`).join('\n')}\n` });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    local?.server.close();
    rmSync(world, { recursive: true, force: true });
  });

  it('a pack-blocked host is denied though a rule allows it and its allow was cached', async () => {
    const fetchLocal = () => runCli(stateDir, ['exec', '--', 'bash', 'fetch.sh', `http://localhost:${local.port}/`], { cwd: world });
    expect((await fetchLocal()).stdout).toBe('LOOPBACK-REACHED200');
    expect((await fetchLocal()).stdout).toBe('LOOPBACK-REACHED200'); // the second from the allow cache
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const s = (await t.call('contain.open', { agent: 'default', command: 'raw' })) as ContainSession;
      // Before the pack, the glob allows the name (it then fails to resolve: no such host here).
      expect(await connectLine(s.proxy_socket!, 'cdn.evil.test:443')).not.toMatch(/rule pack/);

      const pack = Buffer.from(JSON.stringify({ name: 'acme-ioc', version: '1', blocked_hosts: ['localhost', 'evil.test'] }));
      const packFile = join(world, 'acme-ioc.json');
      writeFileSync(packFile, pack);
      writeFileSync(`${packFile}.sig`, signRulePack(pack, privateKey));
      const cfg = ['--config', e.proc.spawnargs[e.proc.spawnargs.indexOf('--config') + 1]!];
      const added = cli([...cfg, 'packs', 'add', packFile], { stateDir });
      expect(added.code, added.stderr).toBe(0);

      const after = await fetchLocal();
      expect(after.stdout).toMatch(/^gatehouse: blocked localhost:\d+: localhost is blocked by the rule pack acme-ioc \(IoC\)\n403$/);
      // A name under a blocked domain, allowed by a glob: denied, and so is its spelling with a trailing dot.
      expect(await connectLine(s.proxy_socket!, 'cdn.evil.test:443')).toMatch(/^HTTP\/1\.1 403 .*evil\.test is blocked by the rule pack acme-ioc/s);
      expect(await connectLine(s.proxy_socket!, 'CDN.Evil.Test.:443')).toMatch(/^HTTP\/1\.1 403 .*rule pack acme-ioc/s);
      const ledger = (await t.call('ledger.recent', { limit: 200 })) as Array<{ action: string; reason: string | null; detail: { decision: string; rule: string | null } }>;
      expect(ledger.filter((r) => r.action === 'network.decision' && r.detail.decision === 'deny' && r.detail.rule === 'ioc:evil.test').length).toBe(2);
      expect(ledger.some((r) => r.action === 'network.decision' && r.detail.rule === 'ioc:localhost')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
