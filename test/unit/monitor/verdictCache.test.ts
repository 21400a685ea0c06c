import { describe, it, expect } from 'vitest';
import { MAX_CACHED_KEY, VerdictCache } from '../../../src/engine/monitor/verdictCache.js';
import { RequestInspector } from '../../../src/engine/monitor/attackDetect.js';

describe('verdict cache', () => {
  it('remembers a verdict, including a null one', () => {
    const c = new VerdictCache<string | null>(8);
    c.set('/a', 'sqli');
    c.set('/b', null);
    expect(c.get('/a')).toBe('sqli');
    expect(c.get('/b')).toBeNull();
    expect(c.get('/c')).toBeUndefined();
  });

  it('stays bounded and keeps keys used since the last turnover', () => {
    const c = new VerdictCache<number>(4);
    for (let i = 0; i < 4; i++) c.set(`/k${i}`, i);
    c.set('/k4', 4); // turnover: k0..k3 become the older generation
    expect(c.get('/k1')).toBe(1); // promoted back into the recent one
    for (let i = 5; i < 8; i++) c.set(`/k${i}`, i); // second turnover drops the untouched ones
    expect(c.get('/k1')).toBe(1);
    expect(c.get('/k0')).toBeUndefined();
    expect(c.size).toBeLessThanOrEqual(8);
  });

  it('does not store keys longer than the limit, nor anything at capacity 0', () => {
    const c = new VerdictCache<number>(4);
    c.set('/'.padEnd(MAX_CACHED_KEY + 1, 'x'), 1);
    expect(c.size).toBe(0);
    const off = new VerdictCache<number>(0);
    off.set('/a', 1);
    expect(off.get('/a')).toBeUndefined();
    expect(() => new VerdictCache(-1)).toThrow(/capacity/);
  });
});

describe('request inspector with remembered verdicts', () => {
  it('gives the same verdict the second time and a hits array the caller may reorder', () => {
    const inspector = new RequestInspector();
    const uri = '/x?id=1%27%20OR%20%271%27%3D%271&f=..%2F..%2Fetc%2Fpasswd';
    const first = inspector.inspect(uri);
    const checks = first.hits.map((h) => h.check);
    first.hits.reverse();
    first.hits.pop();
    const second = inspector.inspect(uri, 'sqlmap/1.8');
    expect(second.hits.map((h) => h.check)).toEqual([...checks, 'scanner_ua']);
    expect(inspector.inspect(uri).hits.map((h) => h.check)).toEqual(checks);
  });

  it('decides the same with the cache off', () => {
    const on = new RequestInspector();
    const off = new RequestInspector({ verdictCache: 0 });
    for (const uri of ['/health', '/search?q=%3Cscript%3E', '/search?q=%3Cscript%3E', '/api/tasks?limit=5']) {
      expect(on.inspect(uri).hits).toEqual(off.inspect(uri).hits);
    }
  });
});
