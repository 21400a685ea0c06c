// vitest globalSetup: every temp dir the tests make (state dirs, stores, logs, fixtures) goes under one
// root for the run, removed when the run ends, so a run leaves nothing behind in the system's /tmp.
// Test processes and the engines and CLIs they start inherit TMPDIR, which os.tmpdir() reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
