// Issue 22 gap 11: hostile clients are bounded. Deep JSON is a 400 / a JSON-RPC error (never a 500),
// an over-long IPC line is discarded without ending the connection, connections past the cap are told
// so and closed (socket and REST), a REST body dripped a byte at a time is cut off at the request
// timeout, and a waiting check whose requester went away leaves no answerable ask behind.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, waitFor, type RunningEngine } from '../../support/engine.js';

let e: RunningEngine;
beforeAll(async () => {
  e = await startEngine();
});
afterAll(async () => {
  await e.stop();
});

function open(): Promise<{ s: Socket; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const s = connect(join(e.stateDir, 'gatehouse.sock'));
    const lines: string[] = [];
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    s.once('connect', () => resolve({ s, lines }));
    s.once('error', reject);
  });
}

describe('bounded under hostile clients', () => {
  it('JSON nested 10,000 deep is a 400 over REST and a JSON-RPC error over the socket', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const r = await e.http('POST', '/api/firewall/check', `{"command":${deep}}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/nested deeper than 64/);
    const c = await open();
    c.s.write(`{"jsonrpc":"2.0","id":1,"method":"status","params":${deep}}\n`);
    await waitFor(() => c.lines.length >= 1, 10_000, 'an answer');
    expect(JSON.parse(c.lines[0]!).error.message).toMatch(/nested deeper than 64/);
    c.s.destroy();
  });

  it('a 2 MiB IPC line is discarded (1 MiB cap) and the connection still answers', async () => {
    const c = await open();
    c.s.write(`{"jsonrpc":"2.0","id":1,"method":"status","params":{"x":"${'a'.repeat(2 * 1024 * 1024)}"}}\n`);
    c.s.write('{"jsonrpc":"2.0","id":2,"method":"status"}\n');
    await waitFor(() => c.lines.length >= 2, 15_000, 'two answers');
    expect(JSON.parse(c.lines[0]!).error.message).toMatch(/longer than 1048576 bytes/);
    expect(JSON.parse(c.lines[1]!).result.version).toBeDefined();
    c.s.destroy();
  });

  it('the socket refuses connections past its cap with a clear message', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 256; i++) held.push((await open()).s);
      const extra = await open();
      await waitFor(() => extra.lines.length >= 1, 10_000, 'the refusal');
      expect(JSON.parse(extra.lines[0]!).error.message).toMatch(/256 connections are open already/);
    } finally {
      for (const s of held) s.destroy();
    }
    // Once they close, the door takes connections again.
    await waitFor(async () => (await e.http('GET', '/api/queue/status')).status === 200, 10_000, 'REST');
    const again = await open();
    again.s.write('{"jsonrpc":"2.0","id":1,"method":"status"}\n');
    await waitFor(() => again.lines.length >= 1, 10_000, 'status');
    expect(JSON.parse(again.lines[0]!).result).toBeDefined();
    again.s.destroy();
  });

  it('a waiting check whose requester leaves at once leaves no answerable ask', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await open();
      c.s.write(`{"jsonrpc":"2.0","id":1,"method":"firewall.check","params":{"command":"npm publish ${i}","wait":true}}\n`);
      c.s.destroy();
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.http('GET', '/api/prompts')).body.data).toEqual([]);
  });

  it('REST: a body dripped a byte at a time is cut off by the request timeout (408) and its connection closed; the engine answers meanwhile', async () => {
    const s = connect(e.port, '127.0.0.1');
    await new Promise<void>((r, j) => s.once('connect', () => r()).once('error', j));
    let answer = '';
    s.on('data', (d) => (answer += d));
    const closed = new Promise<number>((r) => s.once('close', () => r(Date.now())));
    const started = Date.now();
    s.write(`POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${e.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const drip = setInterval(() => {
      if (!s.destroyed) s.write(' ');
    }, 250);
    try {
      // Meanwhile the engine serves everyone else.
      expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
      const at = await closed;
      // The stated deadline (REQUEST_TIMEOUT_MS, 30 s) plus the 1 s check, with slack for a loaded machine.
      expect(at - started).toBeLessThan(45_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
      s.destroy();
    }
    expect((await e.http('GET', '/api/queue/tasks')).body.data.tasks).toEqual([]); // nothing half-submitted
  }, 60_000);

  it('REST refuses connections past its cap with a clear 503 and takes them again once they close', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 512; i++) {
        const s = connect(e.port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise<void>((r) => s.once('connect', () => r()));
        held.push(s);
      }
      const extra = connect(e.port, '127.0.0.1');
      let answer = '';
      extra.on('data', (d) => (answer += d));
      extra.on('error', () => {});
      await new Promise<void>((r) => extra.once('close', () => r()));
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error).toBe('gatehouse refuses the connection: 512 connections are open already');
    } finally {
      for (const s of held) s.destroy();
    }
    await waitFor(async () => (await e.http('GET', '/api/queue/status')).status === 200, 10_000, 'REST again');
  }, 60_000);
});
