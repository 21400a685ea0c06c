import { describe, it, expect } from 'vitest';
import { parseAccessLine, parseClfTime } from '../../../src/engine/monitor/accessLogParse.js';

describe('access log parsing', () => {
  it('parses a combined line with referer and agent', () => {
    const r = parseAccessLine('10.0.3.161 - bob [22/Nov/2026:09:00:02 +0000] "GET /search?q=%3C3+thanks HTTP/1.1" 204 13100 "https://x/" "Mozilla/5.0 (X11)"');
    expect(r).toEqual({ ip: '10.0.3.161', method: 'GET', uri: '/search?q=%3C3+thanks', status: 204, userAgent: 'Mozilla/5.0 (X11)', time: Date.UTC(2026, 10, 22, 9, 0, 2) });
  });

  it('parses a common line (no referer or agent) and honours the zone offset', () => {
    const r = parseAccessLine('::1 - - [22/Nov/2026:10:00:00 +0100] "POST /api/tasks HTTP/1.0" 201 -', 'common');
    expect(r).toMatchObject({ ip: '::1', method: 'POST', uri: '/api/tasks', status: 201, userAgent: '' });
    expect(r?.time).toBe(Date.UTC(2026, 10, 22, 9, 0, 0));
  });

  it('parses a werkzeug line', () => {
    const r = parseAccessLine('127.0.0.1 - - [22/Nov/2026 09:00:05] "GET /health HTTP/1.1" 200 -');
    expect(r).toMatchObject({ ip: '127.0.0.1', uri: '/health', status: 200, time: Date.UTC(2026, 10, 22, 9, 0, 5) });
  });

  it('keeps spaces and quotes an attacker put in the request', () => {
    const r = parseAccessLine('1.2.3.4 - - [22/Nov/2026:09:00:00 +0000] "GET /a?q=1" or "1"="1 HTTP/1.1" 200 5 "-" "ua"');
    expect(r?.uri).toBe('/a?q=1" or "1"="1');
  });

  it('parses the JSON shape and pino/fastify request logs', () => {
    expect(parseAccessLine('{"method":"GET","url":"/x","status":404,"ip":"9.9.9.9","ua":"sqlmap/1.7","time":"2026-11-22T09:00:00Z"}', 'json')).toEqual({
      ip: '9.9.9.9', method: 'GET', uri: '/x', status: 404, userAgent: 'sqlmap/1.7', time: Date.UTC(2026, 10, 22, 9),
    });
    const pino = parseAccessLine('{"level":30,"time":1763802000000,"req":{"method":"POST","url":"/api/tasks","remoteAddress":"127.0.0.1","headers":{"user-agent":"curl/8"}},"res":{"statusCode":201}}');
    expect(pino).toMatchObject({ ip: '127.0.0.1', method: 'POST', uri: '/api/tasks', status: 201, userAgent: 'curl/8', time: 1763802000000 });
  });

  it('applies the zone offset and keeps it apart from the day when consecutive times differ', () => {
    expect(parseClfTime('22/Nov/2026:09:00:02 +0000')).toBe(Date.UTC(2026, 10, 22, 9, 0, 2));
    expect(parseClfTime('22/Nov/2026:09:00:02 +0130')).toBe(Date.UTC(2026, 10, 22, 7, 30, 2));
    expect(parseClfTime('22/Nov/2026:23:59:59 -0500')).toBe(Date.UTC(2026, 10, 23, 4, 59, 59));
    expect(parseClfTime('23/Nov/2026:00:00:00 -0500')).toBe(Date.UTC(2026, 10, 23, 5, 0, 0));
    expect(parseClfTime('22/Nov/2026 09:00:05')).toBe(Date.UTC(2026, 10, 22, 9, 0, 5));
    expect(parseClfTime('22/Nov/2026:9x:00:00 +0000')).toBeNull();
  });

  it('returns null for lines it cannot parse', () => {
    expect(parseAccessLine('garbage')).toBeNull();
    expect(parseAccessLine('{not json', 'json')).toBeNull();
    expect(parseAccessLine('1.2.3.4 - - [x] "GET / HTTP/1.1" abc')).toBeNull();
    expect(parseClfTime('99/Foo/2026:00:00:00 +0000')).toBeNull();
  });
});
