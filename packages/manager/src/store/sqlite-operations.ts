import type Database from 'better-sqlite3';
import type { LogStream } from '@kiln/protocol';
import {
  auditFromRow,
  columnName,
  columnValue,
  connectorFromRow,
  delegateFromRow,
  executionFromRow,
  logEndFromRow,
  logLineFromRow,
  pipelineFromRow,
  setClause,
  stageFromRow,
  stepFromRow,
  taskFromRow,
  tokenFromRow,
  type Row,
} from './sqlite-rows.js';
import type {
  AuditRecord,
  ConnectorRow,
  DelegateRecord,
  EpochMs,
  ExecutionFilter,
  ExecutionRecord,
  LogEndRecord,
  LogKey,
  PipelineRecord,
  StageRecord,
  StepFinish,
  StepRecord,
  StoreOperations,
  StoredLogLine,
  TaskCount,
  TaskRecord,
  TaskState,
  TokenRecord,
} from './store.js';

/** Fields whose column name is not the snake_case of the field. */
const RENAMES: Record<string, string> = {
  selectors: 'selectors_json',
  tags: 'tags_json',
  outputs: 'outputs_json',
  artifacts: 'artifacts_json',
  specJson: 'spec_json',
  modelJson: 'model_json',
  preparedJson: 'prepared_json',
  payloadJson: 'payload_json',
};

/**
 * The store's statements over one better-sqlite3 connection. The methods run
 * synchronously; they are async only to satisfy `StoreOperations`.
 */
export class SqliteOperations implements StoreOperations {
  /** Prepared statements by SQL text: preparing dominated the manager's CPU time before they were kept. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private insert(table: string, record: object, mode = 'INSERT'): Database.RunResult {
    const entries = Object.entries(record);
    const columns = entries.map(([field]) => RENAMES[field] ?? columnName(field));
    const sql = `${mode} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    return this.prepare(sql).run(...entries.map(([, value]) => columnValue(value)));
  }

  private update(table: string, where: string, whereParams: unknown[], changes: object): number {
    if (Object.keys(changes).length === 0) return 0;
    const set = setClause(changes as Record<string, unknown>, RENAMES);
    return this.prepare(`UPDATE ${table} SET ${set.sql} WHERE ${where}`).run(...set.params, ...whereParams).changes;
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.prepare(sql).all(...params) as Row[];
  }

  private one(sql: string, ...params: unknown[]): Row | undefined {
    return this.prepare(sql).get(...params) as Row | undefined;
  }

  async getPipeline(org: string, project: string, identifier: string): Promise<PipelineRecord | undefined> {
    const row = this.one('SELECT * FROM pipelines WHERE org = ? AND project = ? AND identifier = ?', org, project, identifier);
    return row && pipelineFromRow(row);
  }

  async getPipelineById(id: string): Promise<PipelineRecord | undefined> {
    const row = this.one('SELECT * FROM pipelines WHERE id = ?', id);
    return row && pipelineFromRow(row);
  }

  async findPipelines(identifier: string): Promise<PipelineRecord[]> {
    return this.all('SELECT * FROM pipelines WHERE identifier = ? ORDER BY org, project', identifier).map(pipelineFromRow);
  }

  async listPipelines(): Promise<PipelineRecord[]> {
    return this.all('SELECT * FROM pipelines ORDER BY identifier, org, project').map(pipelineFromRow);
  }

  async upsertPipeline(pipeline: Omit<PipelineRecord, 'nextSequenceId'>): Promise<void> {
    const { id, createdAt, ...changes } = pipeline;
    const updated = this.update('pipelines', 'org = ? AND project = ? AND identifier = ?', [pipeline.org, pipeline.project, pipeline.identifier], changes);
    if (updated === 0) this.insert('pipelines', { id, createdAt, ...changes });
  }

  async allocateSequenceId(pipelineId: string): Promise<number> {
    const row = this.one('UPDATE pipelines SET next_sequence_id = next_sequence_id + 1 WHERE id = ? RETURNING next_sequence_id', pipelineId);
    if (row === undefined) throw new Error(`pipeline ${pipelineId} is not stored`);
    return Number(row.next_sequence_id) - 1;
  }

  async getConnector(key: string): Promise<ConnectorRow | undefined> {
    const row = this.one('SELECT * FROM connectors WHERE key = ?', key);
    return row && connectorFromRow(row);
  }

  async upsertConnector(connector: ConnectorRow): Promise<void> {
    const { key, createdAt, ...changes } = connector;
    if (this.update('connectors', 'key = ?', [key], changes) === 0) this.insert('connectors', connector);
  }

  async insertExecution(execution: ExecutionRecord): Promise<void> {
    this.insert('executions', execution);
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const row = this.one('SELECT * FROM executions WHERE id = ?', id);
    return row && executionFromRow(row);
  }

  async getExecutionBySequence(pipelineId: string, sequenceId: number): Promise<ExecutionRecord | undefined> {
    const row = this.one('SELECT * FROM executions WHERE pipeline_id = ? AND sequence_id = ?', pipelineId, sequenceId);
    return row && executionFromRow(row);
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionRecord[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.pipelineIdentifier) {
      conditions.push('pipeline_identifier = ?');
      params.push(filter.pipelineIdentifier);
    }
    if (filter.status) {
      conditions.push('status = ?');
      params.push(filter.status);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const sql = `SELECT * FROM executions ${where} ORDER BY created_at DESC, sequence_id DESC LIMIT ?`;
    return this.all(sql, ...params, filter.limit).map(executionFromRow);
  }

  async listUnfinishedExecutions(): Promise<ExecutionRecord[]> {
    return this.all("SELECT * FROM executions WHERE status IN ('Queued', 'Running') ORDER BY created_at").map(executionFromRow);
  }

  async updateExecution(id: string, changes: Partial<ExecutionRecord>): Promise<void> {
    this.update('executions', 'id = ?', [id], changes);
  }

  async countExecutionsByStatus(): Promise<Map<string, number>> {
    const rows = this.all('SELECT status, COUNT(*) AS count FROM executions GROUP BY status');
    return new Map(rows.map((row) => [String(row.status), Number(row.count)]));
  }

  async insertStage(stage: StageRecord): Promise<void> {
    this.insert('stages', stage);
  }

  async listStages(executionId: string): Promise<StageRecord[]> {
    return this.all('SELECT * FROM stages WHERE execution_id = ? ORDER BY stage_index', executionId).map(stageFromRow);
  }

  async updateStage(executionId: string, stageId: string, changes: Partial<StageRecord>): Promise<void> {
    this.update('stages', 'execution_id = ? AND stage_id = ?', [executionId, stageId], changes);
  }

  async insertTask(task: TaskRecord): Promise<void> {
    this.insert('tasks', task);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const row = this.one('SELECT * FROM tasks WHERE id = ?', id);
    return row && taskFromRow(row);
  }

  async listTasks(state: TaskState): Promise<TaskRecord[]> {
    return this.all('SELECT * FROM tasks WHERE state = ? ORDER BY queued_at, id', state).map(taskFromRow);
  }

  async listExecutionTasks(executionId: string): Promise<TaskRecord[]> {
    return this.all('SELECT * FROM tasks WHERE execution_id = ? ORDER BY queued_at', executionId).map(taskFromRow);
  }

  async transitionTask(id: string, from: TaskState, changes: Partial<TaskRecord>): Promise<boolean> {
    return this.update('tasks', 'id = ? AND state = ?', [id, from], changes) === 1;
  }

  async updateTask(id: string, changes: Partial<TaskRecord>): Promise<void> {
    this.update('tasks', 'id = ?', [id], changes);
  }

  async listDelegateTasks(delegateId: string): Promise<TaskRecord[]> {
    return this.all("SELECT * FROM tasks WHERE delegate_id = ? AND state IN ('offered', 'running') ORDER BY queued_at, id", delegateId).map(taskFromRow);
  }

  async countTasks(): Promise<TaskCount[]> {
    const rows = this.all("SELECT state, reason, COUNT(*) AS count FROM tasks WHERE state != 'done' GROUP BY state, reason");
    return rows.map((row) => ({ state: String(row.state) as TaskState, reason: String(row.reason), count: Number(row.count) }));
  }

  async oldestQueuedAt(): Promise<EpochMs | undefined> {
    const row = this.one("SELECT MIN(queued_at) AS oldest FROM tasks WHERE state = 'queued'");
    return row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
  }

  async startStep(step: Omit<StepRecord, 'startOrder'>): Promise<void> {
    const next = this.one('SELECT COALESCE(MAX(start_order), 0) + 1 AS next FROM steps WHERE execution_id = ?', step.executionId);
    this.insert('steps', { ...step, startOrder: Number(next?.next ?? 1) }, 'INSERT OR IGNORE');
  }

  async getStep(executionId: string, stageId: string, stepId: string, attempt: number): Promise<StepRecord | undefined> {
    const sql = 'SELECT * FROM steps WHERE execution_id = ? AND stage_id = ? AND step_id = ? AND attempt = ?';
    const row = this.one(sql, executionId, stageId, stepId, attempt);
    return row && stepFromRow(row);
  }

  async finishStep(key: LogKey, finish: StepFinish): Promise<void> {
    this.update('steps', 'execution_id = ? AND stage_id = ? AND step_id = ? AND attempt = ?', [key.executionId, key.stageId, key.stepId, key.attempt], finish);
  }

  async listSteps(executionId: string): Promise<StepRecord[]> {
    return this.all('SELECT * FROM steps WHERE execution_id = ? ORDER BY start_order', executionId).map(stepFromRow);
  }

  async insertLogLines(key: LogKey, lines: { seq: number; ts: EpochMs; stream: LogStream; text: string }[]): Promise<number> {
    const statement = this.prepare(
      'INSERT OR IGNORE INTO log_lines (execution_id, stage_id, step_id, attempt, seq, ts, stream, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let inserted = 0;
    for (const line of lines) {
      inserted += statement.run(key.executionId, key.stageId, key.stepId, key.attempt, line.seq, line.ts, line.stream, line.text).changes;
    }
    return inserted;
  }

  async readLogLines(executionId: string, afterRowId: number, limit: number): Promise<StoredLogLine[]> {
    return this.all('SELECT * FROM log_lines WHERE execution_id = ? AND id > ? ORDER BY id LIMIT ?', executionId, afterRowId, limit).map(logLineFromRow);
  }

  async countLogLines(key: LogKey): Promise<number> {
    const sql = 'SELECT COUNT(*) AS count FROM log_lines WHERE execution_id = ? AND stage_id = ? AND step_id = ? AND attempt = ?';
    return Number(this.one(sql, key.executionId, key.stageId, key.stepId, key.attempt)?.count ?? 0);
  }

  async insertLogEnd(end: LogEndRecord): Promise<boolean> {
    return this.insert('log_ends', end, 'INSERT OR IGNORE').changes === 1;
  }

  async listLogEnds(executionId: string): Promise<LogEndRecord[]> {
    return this.all('SELECT * FROM log_ends WHERE execution_id = ?', executionId).map(logEndFromRow);
  }

  async insertDelegate(delegate: DelegateRecord): Promise<void> {
    this.insert('delegates', delegate);
  }

  async getDelegate(id: string): Promise<DelegateRecord | undefined> {
    const row = this.one('SELECT * FROM delegates WHERE id = ?', id);
    return row && delegateFromRow(row);
  }

  async listDelegates(): Promise<DelegateRecord[]> {
    return this.all('SELECT * FROM delegates ORDER BY registered_at').map(delegateFromRow);
  }

  async updateDelegate(id: string, changes: Partial<DelegateRecord>): Promise<void> {
    this.update('delegates', 'id = ?', [id], changes);
  }

  async insertToken(token: TokenRecord): Promise<void> {
    this.insert('tokens', token);
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    const row = this.one('SELECT * FROM tokens WHERE id = ?', id);
    return row && tokenFromRow(row);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.all('SELECT * FROM tokens ORDER BY created_at, id').map(tokenFromRow);
  }

  async updateToken(id: string, changes: Partial<TokenRecord>): Promise<void> {
    this.update('tokens', 'id = ?', [id], changes);
  }

  async insertAudit(record: Omit<AuditRecord, 'id'>): Promise<void> {
    this.insert('audit', record);
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    return this.all('SELECT * FROM audit ORDER BY id DESC LIMIT ?', limit).map(auditFromRow);
  }
}
