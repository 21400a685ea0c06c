// RFC 5424 messages and RFC 6587 octet counting for the syslog export (issue 20, DESIGN §13).
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../src/shared/ledger.js';
import { formatRecord, frame, severityOf } from '../../../src/engine/fleet/syslogFormat.js';
import { ExportConfigSchema } from '../../../src/engine/fleet/exportConfig.js';

const rec = (over: Partial<LedgerRecord> = {}): LedgerRecord => ({
  seq: 7,
  ts: '2026-12-07T04:30:00.123Z',
  actor: 'engine',
  surface: 'engine',
  action: 'alert.raise',
  subject: 'al_1',
  detail: { severity: 'P1', source: 'monitor', check: 'file_changed' },
  reason: null,
  policy_hash: null,
  prev_hash: '0'.repeat(64),
  hash: 'ab'.repeat(32),
  ...over,
});
const origin = { facility: 'local0' as const, hostname: 'gw1', procid: 42 };

describe('formatRecord', () => {
  it('writes the RFC 5424 header: PRI from facility and P0-P3, version 1, APP-NAME gatehouse, MSGID the kind', () => {
    const m = formatRecord(rec(), origin);
    expect(m.startsWith('<131>1 2026-12-07T04:30:00.123Z gw1 gatehouse 42 alert.raise [ledger@32473 seq="7" actor="engine" surface="engine" subject="al_1" hash="')).toBe(true);
    expect(m).toContain('[detail@32473 severity="P1" source="monitor" check="file_changed"]');
    expect(m.endsWith(' \uFEFFalert.raise al_1')).toBe(true);
  });

  it('maps severities: P0 crit, P1 err, P2 warning, P3 notice, others info', () => {
    expect(['P0', 'P1', 'P2', 'P3', undefined].map((s) => severityOf(rec({ detail: s ? { severity: s } : {} })))).toEqual([2, 3, 4, 5, 6]);
    expect(formatRecord(rec({ detail: {} }), { ...origin, facility: 'local7' }).startsWith('<190>1 ')).toBe(true);
  });

  it('escapes ", \\ and ] in values and keeps names and header fields legal', () => {
    const m = formatRecord(rec({ action: 'firewall decide', detail: { 'a b=c]': 'x"y\\z]', n: { deep: [1] } } }), origin);
    expect(m).toContain(' firewall_decide [');
    expect(m).toContain('a_b_c_="x\\"y\\\\z\\]"');
    expect(m).toContain('n="{\\"deep\\":[1\\]}"');
  });

  it('redacts values and the message with the redactor it is given', () => {
    const m = formatRecord(rec({ reason: 'token sk-SECRET', detail: { cmd: 'curl -H sk-SECRET' } }), { ...origin, redact: (t) => t.replaceAll('sk-SECRET', '***') });
    expect(m).not.toContain('sk-SECRET');
    expect(m).toContain('cmd="curl -H ***"');
  });
});

describe('frame (RFC 6587 octet counting)', () => {
  it('prefixes the length in bytes, not characters', () => {
    expect(frame('<14>1 - - gatehouse - x - hi').toString()).toBe('28 <14>1 - - gatehouse - x - hi');
    const utf = frame('é\uFEFF');
    expect(utf.toString('utf8')).toBe('5 é\uFEFF');
  });

  it('concatenated frames split back into the same messages', () => {
    const msgs = [formatRecord(rec(), origin), formatRecord(rec({ seq: 8, reason: 'ünïcode ] "q"' }), origin)];
    let buf = Buffer.concat(msgs.map(frame));
    const out: string[] = [];
    while (buf.length) {
      const sp = buf.indexOf(0x20);
      const len = Number(buf.subarray(0, sp).toString());
      out.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      buf = buf.subarray(sp + 1 + len);
    }
    expect(out).toEqual(msgs);
  });
});

describe('export config', () => {
  it('takes tcp:// or tls://host:port and a facility; refuses other schemes and ports', () => {
    expect(ExportConfigSchema.parse({ syslog: { url: 'tcp://127.0.0.1:6514' } })).toEqual({ syslog: { url: 'tcp://127.0.0.1:6514', facility: 'local0', enterprise_id: 32473 } });
    expect(ExportConfigSchema.parse({ syslog: { url: 'tls://siem.internal:6514' } }).syslog?.url).toBe('tls://siem.internal:6514');
    expect(ExportConfigSchema.parse(undefined)).toEqual({});
    for (const url of ['udp://h:514', 'https://h:6514', 'tcp://h', 'tcp://h:0', 'tcp://h:70000', 'tcp://-x;y:1']) expect(() => ExportConfigSchema.parse({ syslog: { url } }), url).toThrow();
    expect(() => ExportConfigSchema.parse({ syslog: { url: 'tcp://h:1', facility: 'kern' } })).toThrow();
  });

  it('tls: absolute paths, cert and key together, only on a tls:// url, and no switch to skip verification', () => {
    const tls = (t: unknown, url = 'tls://h:6514') => ExportConfigSchema.safeParse({ syslog: { url, tls: t } });
    expect(tls({ ca_file: '/etc/ca.pem', cert_file: '/c.pem', key_file: '/k.pem', server_name: 'siem.internal' }).success).toBe(true);
    expect(tls({ ca_file: 'ca.pem' }).error?.issues[0]?.message).toMatch(/absolute path/);
    expect(tls({ cert_file: '/c.pem' }).error?.issues[0]?.message).toMatch(/cert_file and key_file go together/);
    expect(tls({ ca_file: '/ca.pem' }, 'tcp://h:514').error?.issues[0]?.message).toMatch(/need a tls:\/\/ url/);
    expect(tls({ reject_unauthorized: false }).success).toBe(false);
    expect(tls({ server_name: 'a b' }).success).toBe(false);
  });

  it('enterprise_id names the SD-IDs (the documentation PEN 32473 by default, a placeholder)', () => {
    const c = ExportConfigSchema.parse({ syslog: { url: 'tcp://h:1', enterprise_id: 99999 } });
    expect(c.syslog?.enterprise_id).toBe(99999);
    const m = formatRecord(rec(), { ...origin, enterpriseId: 99999 });
    expect(m).toContain('[ledger@99999 seq="7"');
    expect(m).toContain('[detail@99999 severity="P1"');
    expect(() => ExportConfigSchema.parse({ syslog: { url: 'tcp://h:1', enterprise_id: 0 } })).toThrow();
  });
});
