// Runs file integrity continuously: a debounced chokidar watcher for fast detection and a periodic
// full scan behind it (events can be missed), one finding per change with repeats counted, and
// `ack` to accept a change into the baseline with who, when and why. A directory in the list is
// watched recursively: every file under it (up to `maxFiles`) is a watched path of the same class.
import { watch, type FSWatcher } from 'chokidar';
import { lstatSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
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
  /** Files watched at most across the listed directories (default 10 000). */
  maxFiles?: number;
  /** Something the operator should know that is not a change (a directory over the file limit). */
  onNotice?: (message: string, path: string) => void;
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
  /** The listed directories, and the files found under them (watched like listed ones). */
  private readonly dirs = new Map<string, WatchSpec>();
  private readonly children = new Set<string>();
  private limitNoticed = false;
  private readonly active = new Map<string, Active>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | null = null;
  private interval: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: IntegrityMonitorOptions) {
    this.specs = new Map(opts.specs.map((s) => [resolve(s.path), { ...s, path: resolve(s.path) }]));
    this.now = opts.now ?? Date.now;
    this.expand();
  }

  /** Finds the files under each listed directory (symlinks are entries, never followed). */
  private expand(): void {
    for (const spec of this.specs.values()) {
      if (this.children.has(spec.path) || spec.profile === 'ignore') continue;
      try {
        if (lstatSync(spec.path).isDirectory()) this.dirs.set(spec.path, spec);
      } catch {
        /* missing: reported by check */
      }
    }
    const max = this.opts.maxFiles ?? 10_000;
    const found = new Set<string>();
    let over: string | null = null;
    const walk = (dir: string, spec: WatchSpec) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (this.specs.has(p) && !this.children.has(p)) continue; // listed itself
        if (e.isDirectory()) walk(p, spec);
        else if (found.size >= max) over ??= spec.path;
        else {
          found.add(p);
          if (!this.specs.has(p)) this.specs.set(p, { path: p, class: spec.class, profile: spec.profile });
        }
      }
    };
    for (const [path, spec] of this.dirs) walk(path, spec);
    // A child that went away stays watched while it has a baseline, so its deletion is seen.
    for (const p of this.children) {
      if (!found.has(p) && !this.opts.repo.get(p)) {
        this.specs.delete(p);
        this.children.delete(p);
      }
    }
    for (const p of found) this.children.add(p);
    if (over && !this.limitNoticed) {
      this.limitNoticed = true;
      this.opts.onNotice?.(`${over} holds more than the ${max} files monitor.max_watched_files allows; only the first ${max} are watched (raise the limit or list narrower paths in monitor.core_files)`, over);
    }
  }

  private underWatchedDir(p: string): boolean {
    for (const d of this.dirs.keys()) if (p.startsWith(d + sep)) return true;
    return false;
  }

  /** `gatehouse scan --init-hashes`: records the current state of every watched path. */
  initBaseline(by = 'init', only?: string[]): { recorded: string[]; missing: string[] } {
    const recorded: string[] = [];
    const missing: string[] = [];
    const wanted = only ? new Set(only.map((p) => resolve(p))) : null;
    const isWanted = (p: string) => !wanted || wanted.has(p) || [...wanted].some((w) => this.dirs.has(w) && p.startsWith(w + sep));
    this.expand();
    for (const spec of this.specs.values()) {
      if (spec.profile === 'ignore' || !isWanted(spec.path)) continue;
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
      ...(this.opts.workHours ? { workHours: this.opts.workHours } : {}), now: this.now(), inWatchedDir: this.children.has(spec.path),
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
    this.expand();
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
    if (!this.specs.has(p)) {
      if (!this.underWatchedDir(p)) return;
      this.expand(); // a new file under a watched directory
      if (!this.specs.has(p)) return;
    }
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
