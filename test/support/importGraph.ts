// The house rules of src/ as a graph check (docs/architecture.md): no import circles (type-only
// imports count), at most three loose files at src/engine's root, each engine room importing only the
// rooms below it, src/shared and src/machines; the engine, the machines and shared types never load
// the UI, and no source file runs past 600 lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The engine's rooms, lowest first: a room may import itself and the rooms before it. */
export const ROOM_ORDER = [
  'platform',
  'store',
  'alerts',
  'notify',
  'tasks',
  'approver',
  'firewall',
  'monitor',
  'proxy',
  'contain',
  'sensors',
  'assistant',
  'fleet',
  'config',
  'doors',
] as const;

export const MAX_ROOT_FILES = 3;
export const MAX_LINES = 600;
const UI_PACKAGES = ['ink', 'react', '@xstate/react', 'ink-testing-library'];

/** A source tree as file path (relative to src, with its extension) → text. */
export type SourceTree = Map<string, string>;

export function readSourceTree(srcDir: string): SourceTree {
  const out: SourceTree = new Map();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e) && !e.endsWith('.d.ts')) out.set(relative(srcDir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(srcDir);
  return out;
}

interface Edge {
  from: string;
  to: string;
}

/** Every import of every file: relative ones resolved to a file of the tree, bare ones kept as package names. */
export function importsOf(tree: SourceTree): { edges: Edge[]; packages: Edge[] } {
  const edges: Edge[] = [];
  const packages: Edge[] = [];
  for (const [file, text] of tree) {
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = ref.fileName;
      if (!spec.startsWith('.')) {
        packages.push({ from: file, to: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]! });
        continue;
      }
      const base = join(dirname(file), spec).replace(/\.(js|jsx|ts|tsx)$/, '');
      const to = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((c) => tree.has(c));
      if (to) edges.push({ from: file, to });
    }
  }
  return { edges, packages };
}

/** Strongly connected components of more than one file (or a file importing itself): the circles. */
export function findCircles(tree: SourceTree, edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const f of tree.keys()) next.set(f, []);
  for (const e of edges) next.get(e.from)!.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || next.get(v)!.includes(v)) circles.push(comp.sort());
    }
  };
  for (const f of tree.keys()) if (!idx.has(f)) visit(f);
  return circles;
}

/** Where a file lives: its top folder under src, and for the engine its room ('' at the root). */
function placeOf(file: string): { top: string; room: string | null } {
  const parts = file.split('/');
  const top = parts.length > 1 ? parts[0]! : '';
  if (top !== 'engine') return { top, room: null };
  return { top, room: parts.length > 2 ? parts[1]! : '' };
}

export interface HouseReport {
  circles: string[][];
  rootFiles: string[];
  /** Imports that break the room order or reach out of a lower layer. */
  upward: string[];
  /** UI packages loaded by the engine, the machines or shared types. */
  uiInEngine: string[];
  /** Rooms not in ROOM_ORDER. */
  unknownRooms: string[];
  longFiles: string[];
}

export function checkHouse(tree: SourceTree): HouseReport {
  const { edges, packages } = importsOf(tree);
  const upward: string[] = [];
  const unknown = new Set<string>();
  const rank = (room: string) => (ROOM_ORDER as readonly string[]).indexOf(room);
  for (const e of edges) {
    const a = placeOf(e.from);
    const b = placeOf(e.to);
    const say = () => upward.push(`${e.from} → ${e.to}`);
    if (a.top === 'shared') {
      if (b.top !== 'shared') say();
    } else if (a.top === 'machines') {
      if (b.top !== 'shared' && b.top !== 'machines') say();
    } else if (a.top === 'engine') {
      if (b.top !== 'engine') {
        if (b.top !== 'shared' && b.top !== 'machines') say();
      } else if (a.room !== '') {
        if (rank(a.room!) < 0) unknown.add(a.room!);
        if (b.room === '') say(); // a room never reaches the composition root
        else if (rank(b.room!) > rank(a.room!)) say();
      }
    } else if (a.top === 'ui' && b.top === 'engine') say();
  }
  const uiInEngine = packages
    .filter((p) => ['engine', 'machines', 'shared'].includes(placeOf(p.from).top) && UI_PACKAGES.includes(p.to))
    .map((p) => `${p.from} → ${p.to}`);
  const rootFiles = [...tree.keys()].filter((f) => placeOf(f).room === '');
  for (const f of tree.keys()) {
    const r = placeOf(f).room;
    if (r && rank(r) < 0) unknown.add(r);
  }
  const longFiles = [...tree].filter(([, t]) => t.split('\n').length > MAX_LINES).map(([f, t]) => `${f} (${t.split('\n').length} lines)`);
  return { circles: findCircles(tree, edges), rootFiles, upward, uiInEngine, unknownRooms: [...unknown], longFiles };
}

export function srcDir(): string {
  return resolve(import.meta.dirname, '../../src');
}
