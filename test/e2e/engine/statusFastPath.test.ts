// `gatehouse status` answers the same through its fast path (no yargs) as through yargs: an argument the
// fast path does not take (`--no-tmux`, a no-op for yargs) forces the yargs path for comparison.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';

describe('gatehouse status, fast path and yargs path', () => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await startEngine();
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
  });

  it('prints the same status JSON and exits 0', () => {
    const fast = cli(['status', '--json'], { stateDir: engine.stateDir });
    const slow = cli(['status', '--json', '--no-tmux'], { stateDir: engine.stateDir });
    expect([fast.code, slow.code]).toEqual([0, 0]);
    const a = JSON.parse(fast.stdout);
    const b = JSON.parse(slow.stdout);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a.pid).toBe(b.pid);
    expect(a.state_dir).toBe(engine.stateDir);
  }, 60_000);

  it('prints the same readable summary and tmux line', () => {
    const strip = (s: string) => s.replace(/\d+(\.\d+)?\s*(ms|s|m|h)\b/g, 'T');
    const text = [cli(['status'], { stateDir: engine.stateDir }), cli(['status', '--no-json'], { stateDir: engine.stateDir })];
    expect(text.map((r) => r.code)).toEqual([0, 0]);
    expect(strip(text[0]!.stdout)).toBe(strip(text[1]!.stdout));
    const tmux = [cli(['status', '--tmux'], { stateDir: engine.stateDir }), cli(['status', '--tmux', '--no-json'], { stateDir: engine.stateDir })];
    expect(tmux.map((r) => r.code)).toEqual([0, 0]);
    expect(strip(tmux[0]!.stdout)).toBe(strip(tmux[1]!.stdout));
  }, 60_000);

  it('fails the same way with no engine: exit 3 and the same message', () => {
    const dir = tempStateDir();
    const fast = cli(['status', '--json'], { stateDir: dir });
    const slow = cli(['status', '--json', '--no-tmux'], { stateDir: dir });
    expect([fast.code, slow.code]).toEqual([3, 3]);
    expect(fast.stderr).toMatch(/no gatehouse engine is running/);
    expect(fast.stderr).toBe(slow.stderr);
  }, 60_000);

  it('leaves help to yargs', () => {
    const help = cli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--tmux/);
    expect(help.stdout).toMatch(/--state-dir/);
  }, 60_000);
});
