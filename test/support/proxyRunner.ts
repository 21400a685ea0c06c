// Runs runProxy as its own process (the way a host starts `gatehouse proxy`), with decisions and
// alerts delegated over HTTP on 127.0.0.1 to the test that started it (see proxyDecideServer.ts).
// Config comes as JSON in PROXY_RUNNER_CONFIG.
import { writeFileSync } from 'node:fs';
import type { Decision } from '../../src/shared/firewall.js';
import { JsonFilePinStore } from '../../src/engine/proxy/pinStore.js';
import { runProxy } from '../../src/engine/proxy/runProxy.js';

interface RunnerConfig {
  url: string;
  command: string;
  args: string[];
  serverName: string;
  pinsFile?: string;
  hide?: string[];
  childPidFile?: string;
  exitCodeFile?: string;
  progressIntervalMs?: number;
}

const cfg = JSON.parse(process.env.PROXY_RUNNER_CONFIG ?? '{}') as RunnerConfig;

const result = await runProxy({
  command: cfg.command,
  args: cfg.args,
  input: process.stdin,
  output: process.stdout,
  serverName: cfg.serverName,
  agent: 'e2e',
  forwardSignals: true,
  shutdownGraceMs: 500,
  ...(cfg.progressIntervalMs ? { progressIntervalMs: cfg.progressIntervalMs } : {}),
  ...(cfg.pinsFile ? { pins: new JsonFilePinStore(cfg.pinsFile) } : {}),
  ...(cfg.hide ? { hideTool: (n: string) => cfg.hide!.includes(n) } : {}),
  onSpawn: (pid) => {
    if (cfg.childPidFile) writeFileSync(cfg.childPidFile, String(pid));
  },
  onAlert: (alert) => {
    void fetch(`${cfg.url}/alert`, { method: 'POST', body: JSON.stringify(alert) }).catch(() => undefined);
  },
  decide: async (call, ctx) => {
    const res = await fetch(`${cfg.url}/decide`, {
      method: 'POST',
      body: JSON.stringify({ call, requestId: ctx.requestId, escalation: ctx.escalation ?? null }),
      signal: ctx.signal,
    });
    if (!res.ok || !res.body) throw new Error(`decider answered HTTP ${res.status}`);
    // NDJSON: optional {"waiting":true} lines, then {"decision":{...}}.
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i)) as { waiting?: boolean; decision?: Decision };
        buf = buf.slice(i + 1);
        if (line.waiting) ctx.onWaiting?.();
        if (line.decision) return line.decision;
      }
    }
    throw new Error('decider closed without a decision');
  },
});
if (cfg.exitCodeFile) writeFileSync(cfg.exitCodeFile, String(result.exitCode));
process.exit(result.exitCode);
