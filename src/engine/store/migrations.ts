// Versioned schema migrations, applied in order inside one transaction each; PRAGMA user_version
// records the last applied. Never edit a released migration: add a new one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Tables other rooms keep in the engine's database; their own stores run the same idempotent SQL.
export const ASSISTANT_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS assistant_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  subject_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content TEXT NOT NULL,
  model TEXT,
  provider TEXT,
  tokens INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assistant_messages_subject ON assistant_messages (subject_id, seq);
CREATE TABLE IF NOT EXISTS assistant_briefs (
  subject_id TEXT PRIMARY KEY,
  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'unknown')),
  summary TEXT NOT NULL,
  text TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  created_at TEXT NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL
);
`;

/** For the engine's versioned migrations. The entry is JSON so new fields need no migration. */
export const BASELINE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS integrity_baseline (
  path TEXT PRIMARY KEY,
  entry TEXT NOT NULL,
  updated_at TEXT NOT NULL
)`;

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tasks, transitions, ledger, alerts, prompts, agents',
    sql: `
      CREATE TABLE tasks (
        task_id TEXT PRIMARY KEY,
        task_type TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL,
        estimated_cost REAL NOT NULL,
        actual_cost REAL,
        estimated_duration_ms INTEGER,
        constraints TEXT NOT NULL DEFAULT '[]',
        context TEXT NOT NULL DEFAULT '{}',
        result TEXT,
        error_message TEXT,
        logs TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        start_time TEXT,
        end_time TEXT,
        decided_by TEXT,
        decision_reason TEXT
      );
      CREATE INDEX tasks_status ON tasks(status);
      CREATE INDEX tasks_created ON tasks(created_at);

      CREATE TABLE task_transitions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        by TEXT NOT NULL,
        surface TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX task_transitions_task ON task_transitions(task_id, seq);

      -- Running totals kept in the same transaction as every change, so status is O(1) on a million tasks.
      CREATE TABLE task_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE task_totals (id INTEGER PRIMARY KEY CHECK (id = 1), cost_usd REAL NOT NULL, exec_ms INTEGER NOT NULL);
      INSERT INTO task_totals VALUES (1, 0, 0);
      CREATE TABLE cost_by_hour (hour TEXT PRIMARY KEY, cost_usd REAL NOT NULL);

      CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        surface TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail TEXT NOT NULL,
        reason TEXT,
        policy_hash TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );

      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        ts TEXT NOT NULL,
        severity TEXT NOT NULL,
        source TEXT NOT NULL,
        check_id TEXT NOT NULL,
        message TEXT NOT NULL,
        path TEXT,
        ip TEXT,
        evidence TEXT,
        fingerprint TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        last_ts TEXT NOT NULL,
        acked_by TEXT,
        acked_at TEXT,
        ack_reason TEXT
      );
      CREATE INDEX alerts_ts ON alerts(ts);
      CREATE INDEX alerts_open ON alerts(fingerprint) WHERE acked_at IS NULL;

      CREATE TABLE prompts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        agent TEXT NOT NULL,
        task_id TEXT,
        cwd TEXT,
        command TEXT,
        tool TEXT,
        segments TEXT NOT NULL,
        rule TEXT,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        state TEXT NOT NULL,
        decision TEXT,
        scope TEXT,
        resolved_by TEXT,
        feedback TEXT,
        always_rule TEXT,
        run_id TEXT NOT NULL
      );
      CREATE INDEX prompts_state ON prompts(state);

      CREATE TABLE grants (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agent TEXT NOT NULL,
        task_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        created_at TEXT NOT NULL,
        prompt_id TEXT
      );
      CREATE INDEX grants_lookup ON grants(agent, task_id, subject);

      CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        pid INTEGER,
        profile TEXT,
        state TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        allow_count INTEGER NOT NULL DEFAULT 0,
        deny_count INTEGER NOT NULL DEFAULT 0,
        ask_count INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  // Version 3: the file integrity baseline took 2 (written at the same time).
  { version: 3, name: 'assistant briefs and conversations', sql: ASSISTANT_TABLES_SQL },
  {
    version: 2,
    name: 'file integrity baseline',
    sql: BASELINE_TABLE_SQL,
  },
  {
    // A submission wrote about ten pages; this keeps the ones a task needs. tasks_created served no query
    // (lists order by rowid or cost). A task's transitions (at most five: the lifecycle has no cycle)
    // move into its own row, which every transition rewrites anyway, instead of a table, its index and
    // sqlite_sequence; the view keeps them readable as rows. The per-status counts are derived from
    // tasks_status when the engine opens the store, not written with every change.
    version: 4,
    name: 'a task row holds its transitions; counts derived',
    sql: `
      DROP INDEX IF EXISTS tasks_created;

      ALTER TABLE tasks ADD COLUMN transitions TEXT NOT NULL DEFAULT '[]';
      UPDATE tasks SET transitions = (
        SELECT json_group_array(json_object('from', from_status, 'to', to_status, 'by', by, 'surface', surface, 'reason', reason, 'at', at) ORDER BY seq)
        FROM task_transitions AS tt WHERE tt.task_id = tasks.task_id
      )
      WHERE EXISTS (SELECT 1 FROM task_transitions AS tt WHERE tt.task_id = tasks.task_id);
      DROP TABLE task_transitions;
      DELETE FROM sqlite_sequence WHERE name = 'task_transitions';
      CREATE VIEW task_transitions AS
        SELECT t.task_id AS task_id, j.key + 1 AS seq, j.value ->> 'from' AS from_status, j.value ->> 'to' AS to_status,
               j.value ->> 'by' AS by, j.value ->> 'surface' AS surface, j.value ->> 'reason' AS reason, j.value ->> 'at' AS at
        FROM tasks AS t, json_each(t.transitions) AS j;

      DROP TABLE task_counts;
    `,
  },
  {
    // Budget days start at midnight in budget.time_zone, which is not an hour boundary in UTC for
    // every zone (Asia/Kolkata is +05:30): spend is kept with its own timestamp. What was spent before
    // this version is only known by UTC hour and is dated at the start of that hour.
    version: 5,
    name: 'spend by timestamp',
    sql: `
      CREATE TABLE spend (ts TEXT NOT NULL, cost_usd REAL NOT NULL);
      CREATE INDEX spend_ts ON spend (ts);
      INSERT INTO spend (ts, cost_usd) SELECT hour || ':00:00.000Z', cost_usd FROM cost_by_hour;
    `,
  },
  {
    // What each agent's processes were seen doing while its baseline learned (src/engine/sensors).
    version: 6,
    name: 'sensor baselines',
    sql: `
      CREATE TABLE sensor_baseline_agents (agent TEXT PRIMARY KEY, learning_since TEXT NOT NULL);
      CREATE TABLE sensor_baseline (
        agent TEXT NOT NULL,
        item TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (agent, item)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Containment (issue 17): a network ask names its destination; agents count their connections.
    version: 7,
    name: 'network prompts and per-agent connection counts',
    sql: `
      ALTER TABLE prompts ADD COLUMN destination TEXT;
      ALTER TABLE agents ADD COLUMN net_allowed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE agents ADD COLUMN net_blocked INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // Issue 22 (law 11): a registered pid's start time (/proc/PID/stat field 22) is kept with the agent,
    // so a pid recycled while the engine was stopped is told apart after a restart too.
    version: 8,
    name: 'registered agents keep their pid start time',
    sql: `
      ALTER TABLE agents ADD COLUMN pid_start TEXT;
    `,
  },
];
