// Both conversation stores behave the same; the SQLite one runs on a real better-sqlite3 database file.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import {
  MemoryConversationStore,
  SqliteConversationStore,
  type ConversationStore,
  type SqliteDatabase,
} from '../../../src/engine/assistant/conversations.js';
import { isAssistantError, type Brief } from '../../../src/engine/assistant/types.js';
import { GOOD_BRIEF, makeAssistant, promptSubject, settingsFor, tempDir } from './fixtures.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (path: string) => SqliteDatabase & { close(): void };

let server: LlmServer | undefined;
const open: Array<{ close(): void }> = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const db of open.splice(0)) db.close();
});

const brief = (over: Partial<Brief> = {}): Brief => ({
  subject_id: 's1',
  risk: 'medium',
  summary: 'sum',
  text: 'RISK: medium\nSUMMARY: sum',
  model: 'm',
  provider: 'anthropic',
  created_at: '2026-01-01T00:00:00.000Z',
  tokens_in: 10,
  tokens_out: 5,
  ...over,
});

const stores: Array<[string, () => ConversationStore]> = [
  ['memory', () => new MemoryConversationStore()],
  [
    'sqlite',
    () => {
      const db = new Database(join(tempDir(), 'gatehouse.db'));
      open.push(db);
      return new SqliteConversationStore(db);
    },
  ],
];

describe.each(stores)('%s conversation store', (_name, make) => {
  it('keeps messages per subject, oldest first, with a limit taking the latest', () => {
    const s = make();
    const msg = (subject_id: string, content: string, role: 'user' | 'assistant' = 'user') =>
      s.append({ subject_id, role, content, created_at: '2026-01-01T00:00:00.000Z', model: null, provider: null, tokens: 0 });
    msg('a', 'q1');
    msg('a', 'a1', 'assistant');
    msg('b', 'other');
    msg('a', 'q2');
    expect(s.history('a').map((m) => m.content)).toEqual(['q1', 'a1', 'q2']);
    expect(s.history('a', 2).map((m) => m.content)).toEqual(['a1', 'q2']);
    expect(s.history('b').map((m) => m.role)).toEqual(['user']);
    expect(s.history('none')).toEqual([]);
  });

  it('stores the latest brief per subject', () => {
    const s = make();
    expect(s.getBrief('s1')).toBeNull();
    s.saveBrief(brief());
    s.saveBrief(brief({ risk: 'high', summary: 'worse' }));
    expect(s.getBrief('s1')).toMatchObject({ risk: 'high', summary: 'worse', tokens_in: 10 });
  });

  it('receives the brief and the chat turn from the assistant, and the chat sees the stored brief', async () => {
    server = await startLlmServer('anthropic', [{ kind: 'ok', text: GOOD_BRIEF }, { kind: 'ok', text: 'Because it pipes to sh.' }]);
    const store = make();
    const { assistant } = makeAssistant(settingsFor(server.url, 'anthropic'), { conversations: store });
    expect(isAssistantError(await assistant.brief(promptSubject(), {}))).toBe(false);
    expect(store.getBrief('prompt-1')?.risk).toBe('high');
    const turn = await assistant.chat('prompt-1', 'Why high?', store.history('prompt-1'), () => {});
    expect(isAssistantError(turn)).toBe(false);
    expect(store.history('prompt-1').map((m) => [m.role, m.content])).toEqual([
      ['user', 'Why high?'],
      ['assistant', 'Because it pipes to sh.'],
    ]);
    // The chat request carried the remembered subject and the earlier brief.
    const chatBody = server.requests[1]!.body;
    expect(chatBody).toContain('install.sh');
    expect(chatBody).toContain('Pipes a remote script into a shell.');
  });
});
