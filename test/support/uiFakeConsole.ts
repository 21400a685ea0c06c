// A runnable console over the in-memory fake client, for end-to-end tests in a real terminal (tmux):
//   node --import tsx test/support/uiFakeConsole.ts console|watch|crash
// Prints EXITED CLEANLY after the console returns; `crash` throws outside the UI once the queue has loaded.
import { runConsole } from '../../src/ui/runConsole.js';
import { runWatch } from '../../src/ui/watch.js';
import { FakeEngineClient } from './fakeEngineClient.js';

const mode = process.argv[2] ?? 'console';
const client = new FakeEngineClient();
const now = Date.now();
client.addTask({ task_id: 't-1', description: 'summarise inbox', created_at: new Date(now - 12_000).toISOString() });
client.addTask({ task_id: 't-2', task_type: 'workflow', status: 'running', description: 'deploy marketing site', created_at: new Date(now - 120_000).toISOString() });

if (mode === 'crash') {
  const list = client.tasks.list;
  let armed = false;
  client.tasks.list = async (q) => {
    if (!armed) {
      armed = true;
      setTimeout(() => {
        throw new Error('boom outside the UI');
      }, 300);
    }
    return list(q);
  };
}

if (mode === 'watch') await runWatch({ client, compact: true });
else await runConsole({ client });
process.stdout.write('EXITED CLEANLY\n');
process.exit(0);
