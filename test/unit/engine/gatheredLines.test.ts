// The engine's log lines at info and below are written together (a write per firewall decision cost
// more than deciding); a warning or an error, or a line not in pino's shape, goes out at once with the
// lines before it, in order, and nothing waiting is lost at flush.
import { describe, expect, it } from 'vitest';
import { GatheredLines } from '../../../src/engine/platform/logger.js';

const line = (level: number, msg: string) => `{"level":${level},"time":1,"pid":1,"msg":"${msg}"}\n`;

function sink() {
  const writes: string[] = [];
  let synced = 0;
  return {
    writes,
    synced: () => synced,
    out: {
      write: (t: string) => void writes.push(t),
      flushSync: () => void synced++,
    },
  };
}

describe('GatheredLines', () => {
  it('holds info, debug and trace lines and writes them as one', () => {
    const s = sink();
    const g = new GatheredLines(s.out, 60_000);
    g.write(line(30, 'a'));
    g.write(line(20, 'b'));
    g.write(line(10, 'c'));
    expect(s.writes).toEqual([]);
    g.flush();
    expect(s.writes).toEqual([line(30, 'a') + line(20, 'b') + line(10, 'c')]);
    g.flush();
    expect(s.writes).toHaveLength(1);
  });

  it('writes a warning, an error or a fatal line at once, after the lines before it', () => {
    for (const level of [40, 50, 60]) {
      const s = sink();
      const g = new GatheredLines(s.out, 60_000);
      g.write(line(30, 'before'));
      g.write(line(level, 'now'));
      expect(s.writes).toEqual([line(30, 'before') + line(level, 'now')]);
    }
  });

  it('writes at once what is not a pino line it can read the level of', () => {
    for (const text of ['plain text\n', '{"msg":"no level first"}\n', '{"level":300,"msg":"x"}\n', '{"level":"info"}\n']) {
      const s = sink();
      const g = new GatheredLines(s.out, 60_000);
      g.write(text);
      expect(s.writes).toEqual([text]);
    }
  });

  it('flushSync writes what waits and syncs the stream under it', () => {
    const s = sink();
    const g = new GatheredLines(s.out, 60_000);
    g.write(line(30, 'last words'));
    g.flushSync();
    expect(s.writes).toEqual([line(30, 'last words')]);
    expect(s.synced()).toBe(1);
  });

  it('writes once 64 KiB are waiting, without waiting for the timer', () => {
    const s = sink();
    const g = new GatheredLines(s.out, 60_000);
    const big = line(30, 'x'.repeat(1000));
    let n = 0;
    while (s.writes.length === 0) {
      g.write(big);
      n++;
    }
    expect(n * big.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(s.writes[0]).toBe(big.repeat(n));
    g.flush();
  });
});
