// `gatehouse` with no engine running: the engine and the console in one process, in a real terminal.
// A task submitted over that process's REST API is approved by key; q stops both and gives the terminal back.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempStateDir, waitFor } from '../../support/engine.js';
import { TmuxServer, hasTmux, taskRow } from '../../support/tmuxPane.js';

let tmux: TmuxServer;
beforeAll(() => {
  if (hasTmux) tmux = new TmuxServer();
});
afterAll(() => tmux?.close());

describe.skipIf(!hasTmux)('in-process console (tmux)', () => {
  it('starts the engine in the console process, approves a REST task by key, and stops both on q', async () => {
    const stateDir = tempStateDir();
    const config = `${stateDir}-gatehouse.yaml`;
    writeFileSync(config, 'api:\n  port: 0\n'); // any free port: tests never take the default one
    const pane = tmux.console(stateDir, ['--config', config]);
    await pane.waitFor(/\[1 Queue \(0\)\]/);

    // The engine in that process answers on the socket and on REST.
    const status = await waitFor(() => {
      const r = cli(['status', '--json'], { stateDir });
      return r.code === 0 ? (JSON.parse(r.stdout) as { api: { port: number } | null }) : null;
    }, 30_000, 'status over the socket');
    expect(status.api?.port).toBeGreaterThan(0);
    const token = readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${status.api!.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: Record<string, unknown> } }));

    const sub = await api('POST', '/api/tasks', { task_type: 'chat', description: 'in-process summarise inbox', estimated_cost: 0.02 });
    expect(sub.status).toBe(201);
    const id = sub.body.data.task_id as string;
    await pane.waitFor(taskRow(id, 'pending_approval'));
    pane.type('a');
    await pane.waitFor(taskRow(id, 'approved'));
    expect((await api('GET', `/api/queue/task/${id}`)).body.data).toMatchObject({ status: 'approved', decided_by: 'operator' });

    pane.type('q');
    expect(await pane.exitCode()).toBe(0);
    expect(pane.terminalState()).toBe('0 1');
    // Quitting the console stopped the engine it started.
    expect(cli(['status', '--json'], { stateDir }).code).not.toBe(0);
  }, 180_000);
});
