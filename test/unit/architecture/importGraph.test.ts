import { describe, expect, it } from 'vitest';
import { MAX_ROOT_FILES, checkHouse, readSourceTree, srcDir, type SourceTree } from '../../support/importGraph.js';

describe('the house rules of src/', () => {
  const report = checkHouse(readSourceTree(srcDir()));

  it('has no import circles, type-only imports included', () => {
    expect(report.circles).toEqual([]);
  });

  it('keeps at most three loose files at src/engine', () => {
    expect(report.rootFiles.length).toBeLessThanOrEqual(MAX_ROOT_FILES);
  });

  it('lets each room import only the rooms below it, shared types and machines', () => {
    expect(report.upward).toEqual([]);
    expect(report.unknownRooms).toEqual([]);
  });

  it('never loads the UI from the engine, the machines or shared types', () => {
    expect(report.uiInEngine).toEqual([]);
  });

  it('has no source file over 600 lines', () => {
    expect(report.longFiles).toEqual([]);
  });
});

describe('the check itself', () => {
  const tree = (files: Record<string, string>): SourceTree => new Map(Object.entries(files));

  it('finds a circle made of type-only imports', () => {
    const r = checkHouse(
      tree({
        'engine/store/a.ts': "import type { B } from './b.js';\nexport type A = B;",
        'engine/store/b.ts': "import type { A } from './a.js';\nexport type B = A;",
      }),
    );
    expect(r.circles).toEqual([['engine/store/a.ts', 'engine/store/b.ts']]);
  });

  it('flags an upward import, a room reaching the root, and shared reaching the engine', () => {
    const r = checkHouse(
      tree({
        'engine/engine.ts': "import { q } from './tasks/queue.js';",
        'engine/store/store.ts': "import { q } from '../tasks/queue.js';",
        'engine/tasks/queue.ts': "import type { Engine } from '../engine.js';\nexport const q = 1;",
        'shared/x.ts': "import type { q } from '../engine/tasks/queue.js';",
      }),
    );
    expect(r.upward.sort()).toEqual(['engine/store/store.ts → engine/tasks/queue.ts', 'engine/tasks/queue.ts → engine/engine.ts', 'shared/x.ts → engine/tasks/queue.ts']);
  });

  it('flags ink in the engine, an unknown room and too many root files', () => {
    const r = checkHouse(
      tree({
        'engine/a.ts': "import { render } from 'ink';",
        'engine/b.ts': '',
        'engine/c.ts': '',
        'engine/d.ts': '',
        'engine/attic/x.ts': '',
      }),
    );
    expect(r.uiInEngine).toEqual(['engine/a.ts → ink']);
    expect(r.unknownRooms).toEqual(['attic']);
    expect(r.rootFiles.length).toBe(4);
  });
});
