import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFilePinStore, canonicalJson, pinFor } from '../../../src/engine/proxy/pinStore.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'gh-pins-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('pins', () => {
  it('hash ignores key order but not content', () => {
    const a = pinFor({ name: 't', description: 'd', inputSchema: { type: 'object', properties: { a: { type: 'string' } } } });
    const b = pinFor({ name: 't', description: 'd', inputSchema: { properties: { a: { type: 'string' } }, type: 'object' } });
    const c = pinFor({ name: 't', description: 'd', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('persists to a 0600 file atomically and reads it back in a new store', () => {
    const file = join(tmp(), 'sub', 'pins.json');
    const s = new JsonFilePinStore(file);
    expect(s.get('fs', 'read')).toBeUndefined();
    const pin = pinFor({ name: 'read', description: 'Read' });
    s.put('fs', { read: pin });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new JsonFilePinStore(file).get('fs', 'read')).toEqual(pin);
    expect(readdirSync(join(file, '..')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps pins written by another proxy meanwhile', () => {
    const file = join(tmp(), 'pins.json');
    const a = new JsonFilePinStore(file);
    const b = new JsonFilePinStore(file);
    a.put('one', { t: pinFor({ name: 't' }) });
    b.put('two', { t: pinFor({ name: 't' }) });
    const c = new JsonFilePinStore(file);
    expect(c.get('one', 't')).toBeDefined();
    expect(c.get('two', 't')).toBeDefined();
  });

  it('refuses a corrupt file with its name and the problem instead of re-pinning', () => {
    const file = join(tmp(), 'pins.json');
    writeFileSync(file, '{"version":1,"servers":{"x":{"t":{"hash":5}}}}');
    expect(() => new JsonFilePinStore(file)).toThrow(/pins\.json is invalid at "servers\.x\.t\.hash"/);
    writeFileSync(file, 'not json');
    expect(() => new JsonFilePinStore(file)).toThrow(/not valid JSON/);
  });

  it('refuses a symlinked pin file', () => {
    const d = tmp();
    writeFileSync(join(d, 'real.json'), '{"version":1,"servers":{}}');
    symlinkSync(join(d, 'real.json'), join(d, 'pins.json'));
    expect(() => new JsonFilePinStore(join(d, 'pins.json'))).toThrow(/symbolic link/);
    expect(readFileSync(join(d, 'real.json'), 'utf8')).toContain('servers');
  });
});
