// Runs a hook command registered by `gatehouse setup` the way its agent host does: the command line
// through a shell, the host's JSON on stdin.
import { spawnSync } from 'node:child_process';

export function runAsHost(command: string, input: unknown): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', command], { input: JSON.stringify(input), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
