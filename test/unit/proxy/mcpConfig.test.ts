import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrapDocument, unwrapFile, wrapDocument, wrapFile } from '../../../src/engine/proxy/mcpConfig.js';

const G = { gatehouse: { command: '/opt/gatehouse/bin/gatehouse.js', args: [] } };

const desktop = () => ({
  mcpServers: {
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/u/Desktop'], env: { DEBUG: '1' } },
    bare: { command: '/usr/local/bin/my-server' },
    remote: { type: 'http', url: 'https://mcp.example.com/mcp' },
  },
  globalShortcut: 'Ctrl+Space',
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('wrapDocument / unwrapDocument', () => {
  it('routes stdio servers through gatehouse proxy, keeps env and leaves remote servers alone', () => {
    const doc = desktop();
    const r = wrapDocument(doc, { ...G, agent: 'claude' });
    expect(r.changed).toEqual(['mcpServers.filesystem', 'mcpServers.bare']);
    expect(r.skipped).toEqual([{ where: 'mcpServers.remote', why: expect.stringMatching(/not a stdio server/) }]);
    expect(doc.mcpServers.filesystem).toEqual({
      command: '/opt/gatehouse/bin/gatehouse.js',
      args: ['proxy', '--server-name', 'filesystem', '--agent', 'claude', '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', '/home/u/Desktop'],
      env: { DEBUG: '1' },
    });
    expect(doc.mcpServers.remote).toEqual({ type: 'http', url: 'https://mcp.example.com/mcp' });
  });

  it('is idempotent and unwrap restores the original exactly (including a missing args key)', () => {
    const doc = desktop();
    wrapDocument(doc, G);
    const once = JSON.stringify(doc);
    expect(wrapDocument(doc, G).changed).toEqual([]);
    expect(JSON.stringify(doc)).toBe(once);
    unwrapDocument(doc);
    expect(JSON.stringify(doc)).toBe(JSON.stringify(desktop()));
  });

  it("handles Claude Code's per-project mcpServers", () => {
    const doc = { projects: { '/home/u/app': { mcpServers: { db: { type: 'stdio', command: 'node', args: ['db.js'], env: {} } } } } };
    expect(wrapDocument(doc, G).changed).toEqual(['projects./home/u/app.mcpServers.db']);
    expect(doc.projects['/home/u/app'].mcpServers.db.args).toEqual(['proxy', '--server-name', 'db', '--', 'node', 'db.js']);
  });
});

describe('wrapFile / unwrapFile', () => {
  it('keeps a backup, keeps the mode and formatting, and unwrap gives back the same bytes', () => {
    const d = mkdtempSync(join(tmpdir(), 'gh-mcpcfg-'));
    dirs.push(d);
    const file = join(d, 'claude_desktop_config.json');
    const original = JSON.stringify(desktop(), null, 4) + '\n';
    writeFileSync(file, original);
    chmodSync(file, 0o600);
    const w = wrapFile(file, G);
    expect(w.backup).toBe(`${file}.gatehouse-backup`);
    expect(readFileSync(w.backup!, 'utf8')).toBe(original);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/\n {4}"mcpServers"/);
    const u = unwrapFile(file);
    expect(u.restoredFromBackup).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('unwraps structurally (keeping later edits) when the file changed after wrapping', () => {
    const d = mkdtempSync(join(tmpdir(), 'gh-mcpcfg-'));
    dirs.push(d);
    const file = join(d, 'mcp.json');
    writeFileSync(file, JSON.stringify(desktop(), null, 2));
    wrapFile(file, G);
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    edited.globalShortcut = 'Alt+Space';
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const u = unwrapFile(file);
    expect(u.restoredFromBackup).toBe(false);
    const back = JSON.parse(readFileSync(file, 'utf8'));
    expect(back).toEqual({ ...desktop(), globalShortcut: 'Alt+Space' });
  });

  it('says what is wrong with a file that is not JSON, and writes nothing', () => {
    const d = mkdtempSync(join(tmpdir(), 'gh-mcpcfg-'));
    dirs.push(d);
    const file = join(d, 'bad.json');
    writeFileSync(file, '{ "mcpServers": ');
    expect(() => wrapFile(file, G)).toThrow(/bad\.json is not valid JSON/);
    expect(existsSync(`${file}.gatehouse-backup`)).toBe(false);
  });
});
