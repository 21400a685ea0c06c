import { describe, expect, it } from 'vitest';
import { AuditAssembler, auditValue, decodeSockaddr, parseAuditLine, toSensorEvent, type AuditRecord } from '../../../src/engine/sensors/auditParse.js';

const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase();

function execEvent(serial: number, pid: number, ppid: number, argv: string[]): string[] {
  return [
    `type=SYSCALL msg=audit(1796613039.350:${serial}): arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=0 items=2 ppid=${ppid} pid=${pid} auid=0 uid=0 gid=0 euid=0 comm="${argv[0]}" exe="/usr/bin/${argv[0]}" subj=unconfined key="gatehouse"\x1dARCH=x86_64 SYSCALL=execve`,
    `type=EXECVE msg=audit(1796613039.350:${serial}): argc=${argv.length} ${argv.map((a, i) => `a${i}=${/[ "]/.test(a) ? hex(a) : `"${a}"`}`).join(' ')}`,
    `type=CWD msg=audit(1796613039.350:${serial}): cwd="/root"`,
    `type=PATH msg=audit(1796613039.350:${serial}): item=0 name="/usr/bin/${argv[0]}" inode=1 nametype=NORMAL`,
    `type=PROCTITLE msg=audit(1796613039.350:${serial}): proctitle=${hex(argv.join('\0'))}`,
    `type=EOE msg=audit(1796613039.350:${serial}): `,
  ];
}

function collect(lines: string[]): AuditRecord[][] {
  const out: AuditRecord[][] = [];
  const a = new AuditAssembler((r) => out.push(r));
  for (const l of lines) a.push(l, 0);
  return out;
}

describe('audit records', () => {
  it('reads the header, quoted, hex and null values, and drops the ENRICHED tail', () => {
    const r = parseAuditLine('type=SYSCALL msg=audit(1796613039.350:7): pid=12 comm="a b" key=(null)\x1dUID="root"')!;
    expect(r).toMatchObject({ type: 'SYSCALL', at: 1796613039350, serial: '7' });
    expect(auditValue(r.fields.get('comm'))).toBe('a b');
    expect(auditValue(r.fields.get('key'))).toBeNull();
    expect(r.fields.has('UID')).toBe(false);
    expect(auditValue(hex('curl -o x'))).toBe('curl -o x');
  });

  it('ignores lines that are not audit records, and cut-short lines', () => {
    expect(parseAuditLine('garbage')).toBeNull();
    expect(parseAuditLine('type=SYSCALL msg=audit(17966130')).toBeNull();
  });

  it('decodes IPv4, IPv6 and IPv4-mapped socket addresses', () => {
    expect(decodeSockaddr('020000507F0000010000000000000000')).toEqual({ address: '127.0.0.1', port: 80 });
    expect(decodeSockaddr('0A0001BB00000000000000000000000000000000000000010000000000')).toEqual({ address: '::1', port: 443 });
    expect(decodeSockaddr('0A001F900000000000000000000000000000FFFF0A0000050000000000')).toEqual({ address: '::ffff:10.0.0.5', port: 8080 });
    expect(decodeSockaddr('01002F746D70')).toBeNull(); // a unix socket
    expect(decodeSockaddr('zz')).toBeNull();
  });

  it('assembles an exec with hex-encoded arguments into one event', () => {
    const [records] = collect(execEvent(9, 200, 100, ['curl', '-o', '/tmp/x y']));
    const e = toSensorEvent(records!)!;
    expect(e).toMatchObject({ kind: 'exec', pid: 200, ppid: 100, program: 'curl', argv: ['curl', '-o', '/tmp/x y'], path: '/usr/bin/curl', source: 'audit', ref: '9' });
  });

  it('finishes a connect at its PROCTITLE: the kernel writes no EOE for it', () => {
    const out: AuditRecord[][] = [];
    const a = new AuditAssembler((r) => out.push(r));
    a.push('type=SYSCALL msg=audit(1.0:5): arch=c000003e syscall=42 success=yes exit=0 a2=10 ppid=1 pid=2 comm="x" key="gatehouse"', 0);
    a.push('type=SOCKADDR msg=audit(1.0:5): saddr=020000507F0000010000000000000000', 0);
    expect(out).toHaveLength(0);
    a.push('type=PROCTITLE msg=audit(1.0:5): proctitle=78', 0);
    expect(out).toHaveLength(1);
    a.push('type=EOE msg=audit(1.0:5): ', 0);
    expect(out).toHaveLength(1);
  });

  it('keeps interleaved events apart', () => {
    const a = execEvent(10, 300, 1, ['ls']);
    const b = execEvent(11, 301, 1, ['id']);
    const mixed = a.flatMap((l, i) => [l, b[i]!]);
    const events = collect(mixed).map((r) => toSensorEvent(r)!);
    expect(events.map((e) => [e.pid, e.program])).toEqual([
      [300, 'ls'],
      [301, 'id'],
    ]);
  });

  it('reads a connect (also a non-blocking one in progress), and leaves out failures and other keys', () => {
    const connect = (exit: string, success: string, key = '"gatehouse"') => [
      `type=SYSCALL msg=audit(1796613040.000:20): arch=c000003e syscall=42 success=${success} exit=${exit} a0=3 a1=7ffd a2=10 items=0 ppid=1 pid=400 comm="curl" exe="/usr/bin/curl" key=${key}`,
      'type=SOCKADDR msg=audit(1796613040.000:20): saddr=020000507F0000020000000000000000',
      'type=EOE msg=audit(1796613040.000:20): ',
    ];
    expect(toSensorEvent(collect(connect('0', 'yes'))[0]!)).toMatchObject({ kind: 'connect', dest: { address: '127.0.0.2', port: 80 } });
    expect(toSensorEvent(collect(connect('-115', 'no'))[0]!)).toMatchObject({ kind: 'connect' });
    expect(toSensorEvent(collect(connect('-111', 'no'))[0]!)).toBeNull();
    expect(toSensorEvent(collect(connect('0', 'yes', '(null)'))[0]!)).toBeNull();
  });

  it('reads an open of a watched file, relative to the cwd, with its write flag', () => {
    const open = (flags: string) => [
      `type=SYSCALL msg=audit(1796613041.000:30): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55 a2=${flags} a3=0 items=1 ppid=1 pid=500 comm="cat" exe="/usr/bin/cat" key="gatehouse"`,
      'type=CWD msg=audit(1796613041.000:30): cwd="/home/u"',
      'type=PATH msg=audit(1796613041.000:30): item=0 name=".aws/credentials" inode=2 nametype=NORMAL',
      'type=EOE msg=audit(1796613041.000:30): ',
    ];
    expect(toSensorEvent(collect(open('0'))[0]!)).toMatchObject({ kind: 'open', path: '/home/u/.aws/credentials', write: false, program: 'cat' });
    expect(toSensorEvent(collect(open('241'))[0]!)).toMatchObject({ write: true });
  });

  it('finishes events without an EOE after a while, and never holds more than its limit open', () => {
    const out: AuditRecord[][] = [];
    const a = new AuditAssembler((r) => out.push(r), 3, 1000);
    for (let i = 0; i < 10; i++) a.push(`type=SYSCALL msg=audit(1.0:${i}): pid=1`, 0);
    expect(a.pending).toBe(3);
    expect(out).toHaveLength(7);
    a.sweep(500);
    expect(out).toHaveLength(7);
    a.sweep(1000);
    expect(a.pending).toBe(0);
    expect(out).toHaveLength(10);
  });
});
