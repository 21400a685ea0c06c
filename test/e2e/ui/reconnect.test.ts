// Consoles outlive the engine: `attach` and `watch` in real tmux panes (80×24) through an engine stop
// and start on the same state dir. They say "reconnecting…", come back by themselves within 5 s of the
// new engine listening, and show an ask raised after the restart. And the console that hosts the engine
// asks before quitting while another console is attached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { TmuxServer, hasTmux } from '../../support/tmuxPane.js';

let tmux: TmuxServer;
const engines: RunningEngine[] = [];

beforeAll(() => {
  if (hasTmux) tmux = new TmuxServer();
});
afterAll(async () => {
  tmux?.close();
  for (const e of engines) await e.stop();
});

describe.skipIf(!hasTmux)('reconnecting consoles', () => {
  it('attach and watch recover within 5 s of an engine restart and show an ask raised after it', async () => {
    const stateDir = tempStateDir();
    const first = await startEngine({ stateDir });
    engines.push(first);
    const console80 = tmux.console(stateDir, ['attach'], {}, { columns: 80, rows: 24 });
    const watch = tmux.console(stateDir, ['watch'], {}, { columns: 80, rows: 24 });
    await console80.waitFor(/\[1 Queue \(\d+\)\]/);
    await console80.waitFor('engine ●');
    await watch.waitFor('no pending asks');

    expect(await first.stop()).toBe(0);
    await console80.waitFor('reconnecting…');
    await watch.waitFor('reconnecting…');

    const second = await startEngine({ stateDir });
    engines.push(second);
    const back = Date.now();
    await console80.waitFor((s) => s.includes('engine ●') && !s.includes('reconnecting'), 5_000);
    await watch.waitFor((s) => s.includes('no pending asks') && !s.includes('reconnecting'), 5_000);
    expect(Date.now() - back).toBeLessThan(5_000);

    // An ask raised on the new engine reaches both: its events are subscribed again.
    const ask = second.http('POST', '/api/firewall/check', { command: 'curl https://example.com/after-restart', agent: 'default', wait: true });
    await console80.waitFor('after-restart');
    await watch.waitFor('1 ask');
    const pending = await second.http('GET', '/api/prompts');
    const id = pending.body.data[0].id as string;
    expect((await second.http('POST', `/api/prompts/${id}/resolve`, { decision: 'deny', scope: 'once' })).status).toBe(200);
    expect((await ask).body.data.decision).toBe('deny');
    await console80.waitFor((s) => !s.includes('after-restart'));
    console80.keys('q');
    watch.keys('q');
    expect(await console80.exitCode()).toBe(0);
    expect(await watch.exitCode()).toBe(0);
  }, 120_000);

  it('the console hosting the engine asks before quitting while another console is attached', async () => {
    const stateDir = tempStateDir();
    const host = tmux.console(stateDir, ['--port', '0'], {}, { columns: 80, rows: 24 });
    await host.waitFor(/\[1 Queue \(\d+\)\]/);
    const attached = tmux.console(stateDir, ['attach'], {}, { columns: 80, rows: 24 });
    await attached.waitFor('engine ●');
    host.keys('q');
    await host.waitFor('1 other console is attached: quitting stops the engine under them');
    host.keys('n');
    await host.waitFor((s) => !s.includes('other console'));
    host.keys('q');
    await host.waitFor('other console');
    host.keys('y');
    expect(await host.exitCode()).toBe(0);
    await attached.waitFor('reconnecting…');
    attached.keys('q');
    expect(await attached.exitCode()).toBe(0);
    await waitFor(() => true, 10);
  }, 120_000);
});
