import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order. `PRAGMA user_version` stores how many
 * have run. Append new ones and never edit an applied one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    project TEXT NOT NULL,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    model_json TEXT NOT NULL,
    next_sequence_id INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org, project, identifier)
  );
  CREATE INDEX pipelines_identifier ON pipelines (identifier);

  CREATE TABLE connectors (
    key TEXT PRIMARY KEY,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    org TEXT,
    project TEXT,
    spec_json TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines (id),
    pipeline_identifier TEXT NOT NULL,
    org TEXT NOT NULL,
    project TEXT NOT NULL,
    sequence_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    build_type TEXT,
    build_value TEXT,
    commit_sha TEXT,
    trigger TEXT NOT NULL,
    prepared_json TEXT NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    UNIQUE (pipeline_id, sequence_id)
  );
  CREATE INDEX executions_created ON executions (created_at);
  CREATE INDEX executions_status ON executions (status);

  CREATE TABLE stages (
    execution_id TEXT NOT NULL REFERENCES executions (id),
    stage_id TEXT NOT NULL,
    name TEXT NOT NULL,
    stage_index INTEGER NOT NULL,
    group_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    task_id TEXT,
    delegate_id TEXT,
    error_message TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (execution_id, stage_id)
  );

  CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL REFERENCES executions (id),
    stage_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'running', 'done')),
    offer_id TEXT,
    offer_deadline INTEGER,
    lease_id TEXT,
    lease_expires_at INTEGER,
    delegate_id TEXT,
    selectors_json TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    queued_at INTEGER NOT NULL,
    offered_at INTEGER,
    accepted_at INTEGER,
    finished_at INTEGER,
    UNIQUE (execution_id, stage_id, attempt)
  );
  CREATE INDEX tasks_state ON tasks (state, queued_at);

  CREATE TABLE steps (
    execution_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    error_code TEXT,
    error_message TEXT,
    outputs_json TEXT NOT NULL DEFAULT '{}',
    artifacts_json TEXT NOT NULL DEFAULT '[]',
    start_order INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (execution_id, stage_id, step_id, attempt)
  );

  CREATE TABLE log_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (execution_id, stage_id, step_id, attempt, seq)
  );
  CREATE INDEX log_lines_execution ON log_lines (execution_id, id);

  CREATE TABLE log_ends (
    execution_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    byte_count INTEGER NOT NULL,
    PRIMARY KEY (execution_id, stage_id, step_id, attempt)
  );

  CREATE TABLE delegates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tags_json TEXT NOT NULL,
    version TEXT NOT NULL,
    executor TEXT NOT NULL,
    builder TEXT NOT NULL,
    builder_version TEXT NOT NULL,
    hostname TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    slots_used INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    session_token_hash TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    last_heartbeat_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE tasks ADD COLUMN error_message TEXT;
  CREATE INDEX tasks_delegate ON tasks (delegate_id, state);
  `,
  `
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('api', 'delegate')),
    role TEXT CHECK (role IN ('admin', 'runner', 'viewer')),
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER
  );

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    token_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    peer TEXT NOT NULL
  );

  ALTER TABLE delegates ADD COLUMN token_id TEXT;
  `,
];

/** Brings the database schema to the latest version; each migration runs in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    const sql = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
