// Shared fixtures for the approver tests: a config pointed at a loopback approver, tasks, a
// recording logger, and a better-sqlite3 handle typed through the outbox's own interface.
import { createRequire } from 'node:module';
import { ApprovalConfigSchema, type ApprovalConfig, type ApprovalConfigInput } from '../../src/engine/approver/approvalConfig.js';
import type { DecideTask } from '../../src/engine/approver/approverLink.js';
import type { LinkLogger } from '../../src/engine/platform/linkLogger.js';
import type { OutboxDatabase } from '../../src/engine/approver/reportOutbox.js';

const require = createRequire(import.meta.url);

export interface TestDatabase extends OutboxDatabase {
  close(): void;
  pragma(sql: string): unknown;
}

export function openDatabase(file: string): TestDatabase {
  const Database = require('better-sqlite3') as new (file: string) => TestDatabase;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  return db;
}

/** Fast settings so the tests exercise retries and fallback without long waits. */
export function linkConfig(url: string, over: Partial<ApprovalConfigInput> = {}): ApprovalConfig {
  return ApprovalConfigSchema.parse({
    enabled: true,
    assistant_url: url,
    api_key: 'sekret-test-key',
    // Generous: a loaded CI box must not turn a healthy call into a timeout. Timeout tests set their own.
    timeout_ms: 2_000,
    retry_policy: { enabled: true, max_attempts: 3, backoff_multiplier: 2, initial_delay_ms: 10, max_delay_ms: 40 },
    health_interval_ms: 50,
    fallback_after_failures: 3,
    recover_after_successes: 1,
    ...over,
  });
}

let n = 0;
export function task(over: Partial<DecideTask> = {}): DecideTask {
  n++;
  return {
    task_id: `t-${process.pid}-${n}`,
    task_type: 'chat',
    description: 'summarise the inbox',
    estimated_cost: 0.5,
    estimated_duration_ms: 60_000,
    context: { agent: 'main' },
    ...over,
  };
}

export interface LogLine {
  level: string;
  bindings: Record<string, unknown>;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export function recordingLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): LinkLogger & { lines: LogLine[] } {
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => void lines.push({ level, bindings, obj, msg });
  return {
    lines,
    child: (b) => recordingLogger(lines, { ...bindings, ...b }),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
  };
}

export async function waitFor(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
