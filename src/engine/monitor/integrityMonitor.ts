// Runs file integrity continuously: a debounced chokidar watcher for fast detection and a periodic
// full scan behind it (events can be missed), one finding per change with repeats counted, and
// `ack` to accept a change into the baseline with who, when and why.
import { watch, type FSWatcher } from 'chokidar';
import { resolve } from 'node:path';
import type { BaselineRepo, BaselineEntry } from './integrityBaseline.js';
import { captureEntry } from './integrityCapture.js';
import { compareEntry, type IntegrityFinding, type WatchSpec } from './integrityCompare.js';
import type { WorkHours } from './workHours.js';

export interface IntegrityMonitorOptions {
  specs: WatchSpec[];
  repo: BaselineRepo;
  /** A new change (not seen before in this state). */
  onFinding: (f: IntegrityFinding) => void;
  /** The same change seen again; `count` is how many times in total. */
  onRepeat?: (f: IntegrityFinding, count: number) => void;
  /** Errors reading a path or from the watcher; the monitor keeps running. */
  onError?: (err: Error, path?: string) => void;
  workHours?: WorkHours;
  /** Quiet time after the last event before a path is checked (default 250 ms). */
  debounceMs?: number;
  /** Full scan period (default 5 min; 0 = none). */
  scanIntervalMs?: number;
  /** Use polling in the watcher (network filesystems, tests on overlayfs). */
  usePolling?: boolean;
  now?: () => number;
}

interface Active {
  finding: IntegrityFinding;
  state: string;
  count: number;
}

function stateKey(e: BaselineEntry | null): string {
  return e ? `${e.type}|${e.mode}|${e.uid}|${e.gid}|${e.size}|${e.sha256}` : 'missing';
}

export class IntegrityMonitor {
  private readonly specs: Map<string, WatchSpec>;
  private readonly active = new Map<string, Active>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | null = null;
  private interval: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: IntegrityMonitorOptions) {
    this.specs = new Map(opts.specs.map((s) => [resolve(s.path), { ...s, path: resolve(s.path) }]));
    this.now = opts.now ?? Date.now;
  }

  /** `gatehouse scan --init-hashes`: records the current state of every watched path. */
  initBaseline(by = 'init', only?: string[]): { recorded: string[]; missing: string[] } {
    const recorded: string[] = [];
    const missing: string[] = [];
    const wanted = only ? new Set(only.map((p) => resolve(p))) : null;
    for (const spec of this.specs.values()) {
      if (spec.profile === 'ignore' || (wanted && !wanted.has(spec.path))) continue;
      const cur = captureEntry(spec.path);
      if (!cur) {
        missing.push(spec.path);
        continue;
      }
      this.opts.repo.put({ ...cur.entry, acked_by: by, acked_at: new Date(this.now()).toISOString(), ack_reason: 'baseline initialised' });
      recorded.push(spec.path);
    }
    if (!wanted) this.active.clear();
    return { recorded, missing };
  }

  /** Checks one path now; returns the findings that are new (also passed to onFinding). */
  check(path: string): IntegrityFinding[] {
    const spec = this.specs.get(resolve(path));
    if (!spec) return [];
    const base = this.opts.repo.get(spec.path);
    let cur;
    try {
      cur = captureEntry(spec.path, spec.profile === 'growing' && base ? { prefixBytes: base.size } : {});
    } catch (err) {
      this.opts.onError?.(err as Error, spec.path);
      return [];
    }
    const res = compareEntry({
      spec, baseline: base, current: cur?.entry ?? null, ...(cur?.prefixSha256 !== undefined ? { prefixSha256: cur.prefixSha256 } : {}),
      ...(this.opts.workHours ? { workHours: this.opts.workHours } : {}), now: this.now(),
    });
    if (res.autoAccept && cur) {
      this.opts.repo.put({ ...base, ...cur.entry });
    }
    const state = stateKey(cur?.entry ?? null);
    const fresh: IntegrityFinding[] = [];
    const seen = new Set<string>();
    for (const f of res.findings) {
      const key = `${f.path}\0${f.check}`;
      seen.add(key);
      const prev = this.active.get(key);
      if (prev && prev.state === state) {
        prev.count++;
        this.opts.onRepeat?.(prev.finding, prev.count);
        continue;
      }
      this.active.set(key, { finding: f, state, count: 1 });
      fresh.push(f);
      this.opts.onFinding(f);
    }
    // Changes that went away (file restored) stop being active, so a new one alerts again.
    for (const key of [...this.active.keys()]) if (key.startsWith(`${spec.path}\0`) && !seen.has(key)) this.active.delete(key);
    return fresh;
  }

  /** Full scan of every watched path; returns the new findings. */
  scanAll(): IntegrityFinding[] {
    const out: IntegrityFinding[] = [];
    for (const p of this.specs.keys()) out.push(...this.check(p));
    return out;
  }

  /** Accepts the current state of `path` into the baseline; its active findings are cleared. */
  ack(path: string, by: string, reason: string): BaselineEntry | null {
    const spec = this.specs.get(resolve(path));
    if (!spec) throw new Error(`ack: ${path} is not a watched path (monitor.core_files)`);
    if (!reason.trim()) throw new Error('ack: a reason is required');
    const cur = captureEntry(spec.path);
    for (const key of [...this.active.keys()]) if (key.startsWith(`${spec.path}\0`)) this.active.delete(key);
    if (!cur) {
      // Acknowledging a deletion removes the path from the baseline.
      this.opts.repo.delete(spec.path);
      return null;
    }
    const entry = { ...cur.entry, acked_by: by, acked_at: new Date(this.now()).toISOString(), ack_reason: reason };
    this.opts.repo.put(entry);
    return entry;
  }

  /** Starts the watcher and the periodic scan; resolves when the watcher is ready. */
  async start(): Promise<void> {
    const paths = [...this.specs.values()].filter((s) => s.profile !== 'ignore').map((s) => s.path);
    const w = watch(paths, { ignoreInitial: true, persistent: true, atomic: false, usePolling: this.opts.usePolling ?? false, interval: 100 });
    this.watcher = w;
    const onEvent = (p: string) => this.schedule(p);
    w.on('add', onEvent).on('change', onEvent).on('unlink', onEvent).on('addDir', onEvent).on('unlinkDir', onEvent);
    w.on('raw', (_ev, p, details) => {
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      // Metadata-only changes (chmod) arrive as raw events on some platforms.
      if (watched && this.specs.has(resolve(watched))) this.schedule(watched);
      else if (typeof p === 'string' && this.specs.has(resolve(p))) this.schedule(p);
    });
    w.on('error', (err) => this.opts.onError?.(err as Error));
    await new Promise<void>((r) => w.once('ready', () => r()));
    const every = this.opts.scanIntervalMs ?? 300_000;
    if (every > 0) this.interval = setInterval(() => this.scanAll(), every);
  }

  private schedule(path: string): void {
    const p = resolve(path);
    if (!this.specs.has(p)) return;
    const t = this.timers.get(p);
    if (t) clearTimeout(t);
    this.timers.set(p, setTimeout(() => {
      this.timers.delete(p);
      this.check(p);
    }, this.opts.debounceMs ?? 250));
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
    this.watcher = null;
  }
}
