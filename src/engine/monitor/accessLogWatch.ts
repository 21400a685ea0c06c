// The engine's continuous access-log audit: one follower and one auditor per configured log.
import { AccessLogAuditor, type AccessFinding, type AccessLogAuditOptions } from './accessLogAuditor.js';
import { followLog, type LogFollower } from './logFollower.js';

export interface AccessLogWatchOptions {
  logs: { path: string; format: 'combined' | 'common' | 'json' }[];
  audit?: Omit<AccessLogAuditOptions, 'path' | 'format'>;
  onFinding: (f: AccessFinding) => void;
  onError?: (err: Error, path: string) => void;
  intervalMs?: number;
  /** Read each log from its start (default: only lines written from now on). */
  fromStart?: boolean;
}

export interface AccessLogWatch {
  stop(): Promise<void>;
  /** Poll every log now (tests, and `scan` right after start). */
  poll(): Promise<void>;
}

export function watchAccessLogs(opts: AccessLogWatchOptions): AccessLogWatch {
  const followers: LogFollower[] = opts.logs.map((log) => {
    const auditor = new AccessLogAuditor({ ...(opts.audit ?? {}), path: log.path, format: log.format });
    return followLog(log.path, (line) => {
      // A bad line must never stop the follower or the engine.
      try {
        for (const f of auditor.feed(line)) opts.onFinding(f);
      } catch (err) {
        opts.onError?.(err as Error, log.path);
      }
    }, {
      ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
      ...(opts.fromStart !== undefined ? { fromStart: opts.fromStart } : {}),
      onReset: () => auditor.resetLineNumbers(),
      onError: (err) => opts.onError?.(err, log.path),
    });
  });
  return {
    async stop() {
      await Promise.all(followers.map((f) => f.stop()));
    },
    async poll() {
      await Promise.all(followers.map((f) => f.poll()));
    },
  };
}
