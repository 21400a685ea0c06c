// Approval assistant overhead: briefs over a loopback Anthropic-format stream against a baseline of
// bare fetch + read of the very same stream, measured in the same run.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { tempDir } from './lib/common.mjs';
import { Assistant, AssistantConfigSchema, resolveAssistantConfig } from '../dist/engine/assistant/index.js';

const TEXT = 'RISK: high\nSUMMARY: Pipes a remote script into a shell.\n\n- runs unreviewed code\n- check the URL first';
const events = [
  ['message_start', { message: { usage: { input_tokens: 400, output_tokens: 1 } } }],
  ...Array.from({ length: Math.ceil(TEXT.length / 7) }, (_, i) => ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: TEXT.slice(i * 7, i * 7 + 7) } }]),
  ['message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 30 } }],
  ['message_stop', {}],
];
const stream = events.map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`).join('');

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(stream);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

const task = {
  task_id: 't1', task_type: 'workflow', description: 'Summarise the nightly build logs and post them'.repeat(5), status: 'pending_approval',
  estimated_cost: 0.4, actual_cost: null, estimated_duration_ms: 60000, constraints: [], context: { repo: 'acme/site', branch: 'main' },
  result: null, error_message: null, logs: [], created_at: '', updated_at: '', start_time: null, end_time: null, decided_by: null, decision_reason: null,
};
const settings = resolveAssistantConfig({
  config: AssistantConfigSchema.parse({ provider: 'anthropic', api_key: 'k', base_url: url, daily_token_budget: 1e12, daily_cost_budget_usd: 1e9 }),
  env: {},
  openclawPath: null,
});
const assistant = new Assistant({ settings, budgetPath: join(tempDir(), 'budget.json'), redact: (t) => t.replace(/sk-[A-Za-z0-9]{20,}/g, 'sk-****') });

async function rate(n, fn) {
  for (let i = 0; i < 20; i++) await fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const body = JSON.stringify({ model: 'm', max_tokens: 700, system: 's', messages: [{ role: 'user', content: 'x'.repeat(2000) }], stream: true });
const N = 1500;
const bare = await rate(N, async () => {
  const r = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.text();
});
const briefs = await rate(N, async (i) => {
  const b = await assistant.brief({ kind: 'task', task: { ...task, task_id: `t${i}` } }, {});
  if (b.error) throw new Error(b.message);
});
const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`baseline bare fetch + stream read/s: ${fmt(bare)}`);
console.log(`assistant briefs/s (prompt, fence, budget file, stream parse): ${fmt(briefs)} (ratio ${(briefs / bare).toFixed(2)} of baseline, target >= 0.25)`);
server.close();
