// The console's Agents view shows what the host sensors saw each agent do: execs, files, connections,
// blocked, anomaly score and a sparkline of its recent activity (ink-testing-library's 100 columns, and
// a wide terminal).
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/shared/agent.js';
import { App } from '../../../src/ui/App.js';
import { sparkline } from '../../../src/ui/AgentsView.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { renderAt, type Screen } from '../../support/uiRender.js';

const now = () => T0 + 60_000;
const history = [...new Array<number>(21).fill(0), 0, 0, 1, 2, 4, 8, 16, 0, 3];

function agent(name: string, activity: Agent['activity']): Agent {
  const at = new Date(T0).toISOString();
  return { name, pid: 4242, profile: null, state: 'alive', registered_at: at, last_seen: at, decisions: { allow: 5, deny: 2, ask: 1 }, ...(activity ? { activity } : {}) };
}

function client(): FakeEngineClient {
  const c = new FakeEngineClient();
  c.agentList = [agent('build-bot', { execs: 123, files: 45, connections: 6, blocked: 2, anomaly_score: 70, history }), agent('quiet-bot', undefined)];
  return c;
}

describe('sparkline', () => {
  it('scales each period to the busiest and leaves empty periods blank', () => {
    expect(sparkline([0, 1, 16])).toBe(' ▁█');
    expect(sparkline([0, 0])).toBe('  ');
    expect(sparkline([5, 5])).toBe('██');
    expect(Array.from(sparkline(history))).toHaveLength(30);
  });
});

describe('Agents view', () => {
  let screens: Screen[] = [];
  afterEach(() => {
    for (const s of screens) s.unmount();
    screens = [];
  });

  it('shows execs, files, connections, blocked, anomaly score and the activity sparkline (ink-testing-library)', async () => {
    const r = render(<App client={client()} now={now} controller={{ throttleMs: 20 }} />);
    try {
      await new Promise((res) => setTimeout(res, 100));
      r.stdin.write('4');
      let frame = '';
      for (let i = 0; i < 50 && !(frame = r.lastFrame() ?? '').includes('build-bot'); i++) await new Promise((res) => setTimeout(res, 20));
      expect(frame).toMatch(/EXECS\s+FILES\s+CONNS\s+BLOCKED\s+ANOM\s+ACTIVITY/);
      const line = frame.split('\n').find((l) => l.includes('build-bot'))!;
      expect(line).toMatch(/build-bot\s+alive\s+5\/2\/1\s+123\s+45\s+6\s+2\s+70\s+▁▁▂▄█ ▁/);
      const quiet = frame.split('\n').find((l) => l.includes('quiet-bot'))!;
      expect(quiet).toMatch(/quiet-bot\s+alive\s+5\/2\/1\s+—\s+—\s+—\s+—\s+—\s+—/);
      for (const l of frame.split('\n')) expect(Array.from(l).length).toBeLessThanOrEqual(100);
    } finally {
      r.unmount();
    }
  });

  it('keeps pid, profile and last seen beside the sensor columns on a wide terminal', async () => {
    const s = renderAt(<App client={client()} now={now} controller={{ throttleMs: 20 }} />, 160, 30);
    screens.push(s);
    await s.waitFor('Queue');
    s.stdin.write('4');
    const f = await s.waitFor('build-bot');
    expect(f).toMatch(/PID\s+PROFILE\s+LAST SEEN/);
    expect(f).toMatch(/4242.*123\s+45\s+6\s+2\s+70/);
  });
});
