// The state files' atomic replacement off the event loop (the ledger anchor's timer uses it): 0600, no
// temp file left behind, and an older write that finishes late never replaces a newer one.
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePrivateFileAtomic, writePrivateFileAtomicAsync } from '../../../src/engine/store/stateDir.js';

describe('writePrivateFileAtomicAsync', () => {
  it('replaces the file, 0600, leaving no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-statefile-'));
    const path = join(dir, 'ledger.head');
    writeFileSync(path, 'old');
    expect(await writePrivateFileAtomicAsync(path, 'new')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['ledger.head']);
  });

  it('does not rename over a newer write: the late one is dropped and its temp file removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-statefile-'));
    const path = join(dir, 'ledger.head');
    let generation = 1;
    const late = writePrivateFileAtomicAsync(path, 'older', () => generation === 1);
    generation = 2;
    writePrivateFileAtomic(path, 'newer');
    expect(await late).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('newer');
    expect(readdirSync(dir)).toEqual(['ledger.head']);
  });

  it('refuses a symlink in place of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-statefile-'));
    const path = join(dir, 'ledger.head');
    symlinkSync(join(dir, 'elsewhere'), path);
    await expect(writePrivateFileAtomicAsync(path, 'x')).rejects.toThrow(/symlink/);
  });
});
