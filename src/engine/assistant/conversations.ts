// Where briefs and chat turns are kept with their approval: an in-memory store (tests, no DB) and a
// SQLite store over the engine's better-sqlite3 database. Its tables are the store's migration 3
// (ASSISTANT_TABLES_SQL); SqliteConversationStore also runs it (idempotent) so it works on its own.
import type { StoredMessage } from '../../shared/assistant.js';
import { ASSISTANT_TABLES_SQL } from '../store/migrations.js';
import type { Brief, ProviderName, Risk } from './types.js';

export type { StoredMessage };

export type NewMessage = Omit<StoredMessage, 'seq'>;

export interface ConversationStore {
  append(message: NewMessage): StoredMessage;
  /** Oldest first; the last `limit` messages when given. */
  history(subjectId: string, limit?: number): StoredMessage[];
  saveBrief(brief: Brief): void;
  /** The latest brief for the subject, or null. */
  getBrief(subjectId: string): Brief | null;
}



export class MemoryConversationStore implements ConversationStore {
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly briefs = new Map<string, Brief>();
  private seq = 0;

  append(message: NewMessage): StoredMessage {
    const stored = { ...message, seq: ++this.seq };
    const list = this.messages.get(message.subject_id) ?? [];
    list.push(stored);
    this.messages.set(message.subject_id, list);
    return stored;
  }

  history(subjectId: string, limit?: number): StoredMessage[] {
    const list = this.messages.get(subjectId) ?? [];
    return limit === undefined ? [...list] : list.slice(-limit);
  }

  saveBrief(brief: Brief): void {
    this.briefs.set(brief.subject_id, { ...brief });
  }

  getBrief(subjectId: string): Brief | null {
    const b = this.briefs.get(subjectId);
    return b ? { ...b } : null;
  }
}

/** The slice of better-sqlite3's Database this store uses (the package ships no types here). */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): {
    run(...params: unknown[]): { lastInsertRowid: number | bigint };
    all(...params: unknown[]): unknown[];
    get(...params: unknown[]): unknown;
  };
}

interface MessageRow {
  seq: number;
  subject_id: string;
  role: 'user' | 'assistant';
  content: string;
  model: string | null;
  provider: ProviderName | null;
  tokens: number;
  created_at: string;
}

export class SqliteConversationStore implements ConversationStore {
  private readonly insertMessage;
  private readonly selectHistory;
  private readonly selectAll;
  private readonly upsertBrief;
  private readonly selectBrief;

  constructor(db: SqliteDatabase) {
    db.exec(ASSISTANT_TABLES_SQL);
    this.insertMessage = db.prepare(
      'INSERT INTO assistant_messages (subject_id, role, content, model, provider, tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectHistory = db.prepare(
      'SELECT * FROM (SELECT * FROM assistant_messages WHERE subject_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC',
    );
    this.selectAll = db.prepare('SELECT * FROM assistant_messages WHERE subject_id = ? ORDER BY seq ASC');
    this.upsertBrief = db.prepare(
      `INSERT INTO assistant_briefs (subject_id, risk, summary, text, model, provider, created_at, tokens_in, tokens_out)
       VALUES (@subject_id, @risk, @summary, @text, @model, @provider, @created_at, @tokens_in, @tokens_out)
       ON CONFLICT (subject_id) DO UPDATE SET risk = excluded.risk, summary = excluded.summary, text = excluded.text,
         model = excluded.model, provider = excluded.provider, created_at = excluded.created_at,
         tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out`,
    );
    this.selectBrief = db.prepare('SELECT * FROM assistant_briefs WHERE subject_id = ?');
  }

  append(m: NewMessage): StoredMessage {
    const r = this.insertMessage.run(m.subject_id, m.role, m.content, m.model, m.provider, m.tokens, m.created_at);
    return { ...m, seq: Number(r.lastInsertRowid) };
  }

  history(subjectId: string, limit?: number): StoredMessage[] {
    const rows = (limit === undefined ? this.selectAll.all(subjectId) : this.selectHistory.all(subjectId, limit)) as MessageRow[];
    return rows.map((r) => ({ ...r }));
  }

  saveBrief(brief: Brief): void {
    this.upsertBrief.run({ ...brief });
  }

  getBrief(subjectId: string): Brief | null {
    const row = this.selectBrief.get(subjectId) as (Omit<Brief, 'risk'> & { risk: Risk }) | undefined;
    return row ? { ...row } : null;
  }
}
