// The syslog export over TLS (RFC 5425) against a real TLS collector on loopback, with certificates
// made by the real openssl (issue 20, DESIGN §13): the collector's certificate is verified against
// export.syslog.tls.ca_file, a client certificate is presented when configured, and a certificate that
// does not verify (unknown CA, wrong name) stops the feed with an alert: nothing is sent, in the clear
// or otherwise, and the cursor does not move. A fixed configuration then sends everything.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { Collector, hasOpenssl, makePki, type TestPki } from '../../support/syslogCollector.js';

const openssl = hasOpenssl();
if (!openssl) console.warn('\n!!! SKIPPED: openssl is not installed; the TLS syslog tests need it to make certificates !!!\n');

const configFor = (port: number, tls: string) => `export:\n  syslog:\n    url: tls://127.0.0.1:${port}\n    facility: local0\n    tls:\n${tls}`;

describe.skipIf(!openssl)('export.syslog over TLS (RFC 5425)', { timeout: 180_000 }, () => {
  let pki: TestPki;
  const running: RunningEngine[] = [];
  const collectors: Collector[] = [];
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(async () => {
    for (const e of running) await e.stop();
    for (const c of collectors) await c.stop();
  });

  async function collector(cert: { cert: string; key: string }, clientCa?: string): Promise<Collector> {
    const c = new Collector(0, {
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      ...(clientCa ? { ca: readFileSync(clientCa), requestCert: true, rejectUnauthorized: true } : {}),
    });
    await c.start();
    collectors.push(c);
    return c;
  }

  it('verifies the collector against ca_file, presents the client certificate, and streams every record', async () => {
    const server = pki.cert('collector');
    const client = pki.cert('gateway1', { san: 'DNS:gateway1.test', client: true });
    const c = await collector(server, pki.caCert);
    const e = await startEngine({ config: configFor(c.port, `      ca_file: ${pki.caCert}\n      cert_file: ${client.cert}\n      key_file: ${client.key}\n`) });
    running.push(e);
    const task = await e.http('POST', '/api/tasks', { task_type: 'chat', description: 'over tls' });
    const id = task.body.data.task_id as string;
    await waitFor(() => c.messages.some((m) => / task\.\S+ /.test(m) && m.includes(id)), 30_000, 'the task record over TLS');
    expect(c.messages[0]).toMatch(/^<\d+>1 \S+ \S+ gatehouse \d+ \S+ \[ledger@32473 seq="1" /);
    expect(c.seqs()).toEqual(c.seqs().map((_, i) => i + 1));
    expect(c.errors).toEqual([]);
  });

  it('refuses a collector whose certificate no trusted CA signed: an alert, nothing sent, the cursor stays', async () => {
    const rogue = await collector(pki.cert('rogue', { ca: 'rogue' }));
    const stateDir = tempStateDir();
    const e = await startEngine({ stateDir, config: configFor(rogue.port, `      ca_file: ${pki.caCert}\n`) });
    running.push(e);
    const alert = await waitFor(async () => {
      const r = await e.http('GET', '/api/alerts');
      return (r.body.data as Array<{ check: string; severity: string; message: string }>).find((a) => a.check === 'syslog_export_refused');
    }, 60_000, 'the syslog_export_refused alert');
    expect(alert.severity).toBe('P1');
    expect(alert.message).toMatch(/certificate is refused .*never sent in the clear/);
    // The handshake was TLS and it failed: no frame, no plaintext, no cursor.
    await waitFor(() => rogue.tlsErrors.length > 0, 10_000, 'a failed handshake at the rogue collector');
    expect(rogue.messages).toEqual([]);
    expect(existsSync(join(stateDir, 'syslog.cursor'))).toBe(false);

    // The same engine state, now pointed at the real collector: everything from seq 1 arrives.
    await e.stop();
    const good = await collector(pki.cert('collector2'));
    const e2 = await startEngine({ stateDir, config: configFor(good.port, `      ca_file: ${pki.caCert}\n`) });
    running.push(e2);
    await waitFor(() => good.seqs().includes(1) && good.messages.some((m) => m.includes('syslog_export_refused')), 60_000, 'the backlog, the alert included');
    expect(good.seqs().slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('refuses a certificate for another name (server_name), trusted CA or not', async () => {
    const c = await collector(pki.cert('othername', { san: 'DNS:other.test' }));
    const e = await startEngine({ config: configFor(c.port, `      ca_file: ${pki.caCert}\n      server_name: collector.test\n`) });
    running.push(e);
    const alert = await waitFor(async () => {
      const r = await e.http('GET', '/api/alerts');
      return (r.body.data as Array<{ check: string; severity: string; message: string }>).find((a) => a.check === 'syslog_export_refused');
    }, 60_000, 'the syslog_export_refused alert');
    expect(alert.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|collector\.test/);
    expect(c.messages).toEqual([]);
  });
});
