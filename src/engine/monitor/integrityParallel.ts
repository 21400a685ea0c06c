// Captures many paths on worker threads as well as the calling thread: hashing is CPU-bound, and
// a full scan of thousands of files should use every core. Workers are kept in a pool so a periodic
// scan does not pay thread start-up each time.
import { Worker } from 'node:worker_threads';
import { captureEntry, type Captured } from './integrityCapture.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.captureUrl).then(({ captureEntry }) => {
  parentPort.on('message', ({ id, paths }) => {
    const out = [];
    for (const p of paths) {
      try { out.push({ path: p, captured: captureEntry(p) }); }
      catch (err) { out.push({ path: p, error: String((err && err.message) || err) }); }
    }
    parentPort.postMessage({ id, out });
  });
  parentPort.postMessage({ ready: true });
}, (err) => parentPort.postMessage({ fatal: String((err && err.message) || err) }));
`;

export interface ParallelResult {
  path: string;
  captured?: Captured | null;
  error?: string;
}

function captureHere(paths: string[]): ParallelResult[] {
  return paths.map((p) => {
    try {
      return { path: p, captured: captureEntry(p) };
    } catch (err) {
      return { path: p, error: (err as Error).message };
    }
  });
}

export class CapturePool {
  private readonly workers: Promise<Worker>[];
  private nextId = 0;

  /** `workers` extra threads besides the caller's (default 1: two cores here). */
  constructor(workers = 1) {
    const captureUrl = new URL('./integrityCapture.js', import.meta.url).href;
    this.workers = Array.from({ length: workers }, () => new Promise<Worker>((resolve, reject) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { captureUrl } });
      w.unref();
      const first = (m: { ready?: boolean; fatal?: string }) => {
        if (m.ready) resolve(w);
        else reject(new Error(`integrity worker failed to start: ${m.fatal}`));
      };
      w.once('message', first);
      w.once('error', reject);
    }));
  }

  private run(w: Worker, paths: string[]): Promise<ParallelResult[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMsg = (m: { id?: number; out?: ParallelResult[] }) => {
        if (m.id !== id) return;
        w.off('message', onMsg);
        w.off('error', reject);
        resolve(m.out ?? []);
      };
      w.on('message', onMsg);
      w.once('error', reject);
      w.postMessage({ id, paths });
    });
  }

  /** Captures every path; results in input order. The caller's thread takes one share. */
  async capture(paths: string[]): Promise<ParallelResult[]> {
    const shares = this.workers.length + 1;
    const size = Math.ceil(paths.length / shares);
    const remote = this.workers.map(async (wp, i) => this.run(await wp, paths.slice((i + 1) * size, (i + 2) * size)));
    const mine = captureHere(paths.slice(0, size));
    return [mine, ...(await Promise.all(remote))].flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(async (wp) => (await wp.catch(() => null))?.terminate()));
  }
}

/** One-off parallel capture (a pool for the duration of the call). */
export async function scanInParallel(paths: string[], opts: { workers?: number } = {}): Promise<ParallelResult[]> {
  const pool = new CapturePool(opts.workers ?? 1);
  try {
    return await pool.capture(paths);
  } finally {
    await pool.close();
  }
}
