import type { ArtifactRecord, LogStream } from '@kiln/protocol';

/** Milliseconds since the epoch. */
export type EpochMs = number;

/** A stored pipeline, scoped by org, project and identifier. */
export interface PipelineRecord {
  id: string;
  org: string;
  project: string;
  identifier: string;
  name: string;
  /** YAML text of the `pipeline:` document as applied. */
  source: string;
  /** File name and line the document came from, for messages. */
  sourceFile: string;
  sourceLine: number;
  /** The parsed `Pipeline` model of @kiln/pipeline as JSON. */
  modelJson: string;
  /** Sequence id the next execution gets; starts at 1. */
  nextSequenceId: number;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

/** A stored connector, keyed by its scope key (`account/X`, `org/O/X`, `project/O/P/X`). */
export interface ConnectorRow {
  key: string;
  identifier: string;
  name: string;
  type: string;
  org: string | undefined;
  project: string | undefined;
  /** The connector's `spec` as JSON; it holds secret references only, never secret values. */
  specJson: string;
  source: string;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export interface ExecutionRecord {
  id: string;
  pipelineId: string;
  pipelineIdentifier: string;
  org: string;
  project: string;
  /** Per-pipeline run number from 1 (the Build ID). */
  sequenceId: number;
  status: string;
  buildType: string | undefined;
  buildValue: string | undefined;
  commitSha: string | undefined;
  trigger: string;
  /** The prepared stages and variables as JSON, so a restart can queue later stages. */
  preparedJson: string;
  cancelRequested: boolean;
  errorMessage: string | undefined;
  createdAt: EpochMs;
  startedAt: EpochMs | undefined;
  finishedAt: EpochMs | undefined;
}

export interface StageRecord {
  executionId: string;
  stageId: string;
  name: string;
  /** Position of the stage in the pipeline, from 0. */
  stageIndex: number;
  /** Stages with the same group run together (a `parallel` block); groups run in order. */
  groupIndex: number;
  status: string;
  attempt: number;
  taskId: string | undefined;
  delegateId: string | undefined;
  errorMessage: string | undefined;
  startedAt: EpochMs | undefined;
  finishedAt: EpochMs | undefined;
}

export type TaskState = 'queued' | 'offered' | 'running' | 'done';

/**
 * Outcome of a task attempt: `lost` when its lease expired or its delegate
 * stopped heartbeating, `expired` when it stayed queued past the queue TTL.
 */
export type TaskResult = 'succeeded' | 'failed' | 'aborted' | 'lost' | 'expired';

export interface TaskRecord {
  id: string;
  executionId: string;
  stageId: string;
  attempt: number;
  state: TaskState;
  offerId: string | undefined;
  offerDeadline: EpochMs | undefined;
  leaseId: string | undefined;
  leaseExpiresAt: EpochMs | undefined;
  delegateId: string | undefined;
  /** Delegate tags the task needs, all of them. */
  selectors: string[];
  /** TaskPayload JSON sent on AcceptTask. */
  payloadJson: string;
  /** Reason a queued task waits, e.g. `no_matching_delegate`, or empty. */
  reason: string;
  cancelRequested: boolean;
  result: TaskResult | undefined;
  queuedAt: EpochMs;
  offeredAt: EpochMs | undefined;
  acceptedAt: EpochMs | undefined;
  finishedAt: EpochMs | undefined;
  /** Reason the attempt ended without a stage.finished event (e.g. its lease expired), shown for earlier attempts. */
  errorMessage?: string | undefined;
}

export interface StepRecord {
  executionId: string;
  stageId: string;
  stepId: string;
  attempt: number;
  name: string;
  type: string;
  status: string;
  exitCode: number | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  outputs: Record<string, string>;
  artifacts: ArtifactRecord[];
  /** Increasing number given when the step starts; logs are listed in this order. */
  startOrder: number;
  startedAt: EpochMs | undefined;
  finishedAt: EpochMs | undefined;
}

/** Key of one step attempt's log. */
export interface LogKey {
  executionId: string;
  stageId: string;
  stepId: string;
  attempt: number;
}

export interface StoredLogLine extends LogKey {
  /** Row id; increases in commit order, so a follower reads lines after the last one it sent. */
  rowId: number;
  seq: number;
  ts: EpochMs;
  stream: LogStream;
  text: string;
}

export interface LogEndRecord extends LogKey {
  lastSeq: number;
  lineCount: number;
  byteCount: number;
}

/** `lost`: the delegate stopped heartbeating and its tasks' attempts were ended as lost. */
export type DelegateState = 'connected' | 'draining' | 'deregistered' | 'lost';

export interface DelegateRecord {
  id: string;
  name: string;
  tags: string[];
  version: string;
  executor: string;
  builder: string;
  builderVersion: string;
  hostname: string;
  capacity: number;
  slotsUsed: number;
  state: DelegateState;
  /** Hex SHA-256 of the session token; the token itself is never stored. */
  sessionTokenHash: string;
  /** Id of the stored delegate token the session registered with; undefined for KILN_DELEGATE_TOKEN. */
  tokenId?: string | undefined;
  registeredAt: EpochMs;
  lastHeartbeatAt: EpochMs;
}

export type TokenKind = 'api' | 'delegate';
export type TokenRole = 'admin' | 'runner' | 'viewer';

/** A stored API or delegate token; only a salted scrypt hash of the secret is kept. */
export interface TokenRecord {
  /** Random hex id, also the first characters after `kiln_<kind>_` in the token. */
  id: string;
  name: string;
  kind: TokenKind;
  /** Role of an API token; undefined for delegate tokens. */
  role: TokenRole | undefined;
  /** Hex scrypt salt, one per token. */
  salt: string;
  /** Hex scrypt hash of the whole token. */
  hash: string;
  createdAt: EpochMs;
  expiresAt: EpochMs | undefined;
  revokedAt: EpochMs | undefined;
  lastUsedAt: EpochMs | undefined;
}

/** One audited operation: who, what, when and from where. */
export interface AuditRecord {
  /** Row id, increasing in insert order. */
  id: number;
  at: EpochMs;
  /** Stored token id, or `env` for KILN_API_TOKEN. */
  tokenId: string;
  tokenName: string;
  operation: string;
  target: string;
  peer: string;
}

export interface ExecutionFilter {
  pipelineIdentifier?: string;
  status?: string;
  limit: number;
}

export interface TaskCount {
  state: TaskState;
  reason: string;
  count: number;
}

/** Fields of a step that a `step.finished` event sets. */
export interface StepFinish {
  status: string;
  exitCode: number | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  outputs: Record<string, string>;
  artifacts: ArtifactRecord[];
  finishedAt: EpochMs;
}

/**
 * Data operations of the manager's store. Every method is atomic on its own;
 * `Store.transaction` groups several into one commit.
 */
export interface StoreOperations {
  getPipeline(org: string, project: string, identifier: string): Promise<PipelineRecord | undefined>;
  getPipelineById(id: string): Promise<PipelineRecord | undefined>;
  findPipelines(identifier: string): Promise<PipelineRecord[]>;
  listPipelines(): Promise<PipelineRecord[]>;
  /** Inserts or replaces a pipeline by (org, project, identifier), keeping its id and sequence counter. */
  upsertPipeline(pipeline: Omit<PipelineRecord, 'nextSequenceId'>): Promise<void>;
  /** Returns the next sequence id of the pipeline and advances the counter. */
  allocateSequenceId(pipelineId: string): Promise<number>;

  getConnector(key: string): Promise<ConnectorRow | undefined>;
  upsertConnector(connector: ConnectorRow): Promise<void>;

  insertExecution(execution: ExecutionRecord): Promise<void>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  getExecutionBySequence(pipelineId: string, sequenceId: number): Promise<ExecutionRecord | undefined>;
  listExecutions(filter: ExecutionFilter): Promise<ExecutionRecord[]>;
  listUnfinishedExecutions(): Promise<ExecutionRecord[]>;
  updateExecution(id: string, changes: Partial<Pick<ExecutionRecord, 'status' | 'commitSha' | 'cancelRequested' | 'errorMessage' | 'startedAt' | 'finishedAt'>>): Promise<void>;
  countExecutionsByStatus(): Promise<Map<string, number>>;

  insertStage(stage: StageRecord): Promise<void>;
  listStages(executionId: string): Promise<StageRecord[]>;
  updateStage(executionId: string, stageId: string, changes: Partial<Omit<StageRecord, 'executionId' | 'stageId' | 'name' | 'stageIndex' | 'groupIndex'>>): Promise<void>;

  insertTask(task: TaskRecord): Promise<void>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  listTasks(state: TaskState): Promise<TaskRecord[]>;
  listExecutionTasks(executionId: string): Promise<TaskRecord[]>;
  /** Moves a task from `from` to new values only if it is still in state `from`; returns whether it changed. */
  transitionTask(id: string, from: TaskState, changes: Partial<Omit<TaskRecord, 'id' | 'executionId' | 'stageId' | 'attempt'>>): Promise<boolean>;
  /** Sets fields of a task regardless of its state. */
  updateTask(id: string, changes: Partial<Pick<TaskRecord, 'reason' | 'cancelRequested' | 'leaseExpiresAt'>>): Promise<void>;
  /** Returns the tasks offered to or running on a delegate. */
  listDelegateTasks(delegateId: string): Promise<TaskRecord[]>;
  countTasks(): Promise<TaskCount[]>;
  /** Returns when the longest-waiting queued task was queued, or undefined when none is queued. */
  oldestQueuedAt(): Promise<EpochMs | undefined>;

  /** Inserts the step attempt when missing; an existing row keeps its values. */
  startStep(step: Omit<StepRecord, 'startOrder'>): Promise<void>;
  getStep(executionId: string, stageId: string, stepId: string, attempt: number): Promise<StepRecord | undefined>;
  finishStep(key: LogKey, finish: StepFinish): Promise<void>;
  listSteps(executionId: string): Promise<StepRecord[]>;

  /** Inserts log lines, ignoring ones whose (execution, stage, step, attempt, seq) is stored; returns how many were new. */
  insertLogLines(key: LogKey, lines: { seq: number; ts: EpochMs; stream: LogStream; text: string }[]): Promise<number>;
  /** Returns log lines of an execution with a row id above `afterRowId`, in commit order. */
  readLogLines(executionId: string, afterRowId: number, limit: number): Promise<StoredLogLine[]>;
  countLogLines(key: LogKey): Promise<number>;
  insertLogEnd(end: LogEndRecord): Promise<boolean>;
  listLogEnds(executionId: string): Promise<LogEndRecord[]>;

  insertDelegate(delegate: DelegateRecord): Promise<void>;
  getDelegate(id: string): Promise<DelegateRecord | undefined>;
  listDelegates(): Promise<DelegateRecord[]>;
  updateDelegate(id: string, changes: Partial<Pick<DelegateRecord, 'state' | 'slotsUsed' | 'lastHeartbeatAt'>>): Promise<void>;

  insertToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  /** Lists tokens oldest first. */
  listTokens(): Promise<TokenRecord[]>;
  updateToken(id: string, changes: Partial<Pick<TokenRecord, 'revokedAt' | 'lastUsedAt'>>): Promise<void>;

  insertAudit(record: Omit<AuditRecord, 'id'>): Promise<void>;
  /** Lists the newest `limit` audit records, newest first. */
  listAudit(limit: number): Promise<AuditRecord[]>;
}

/**
 * The manager's state. The SQLite implementation is the embedded default; a
 * PostgreSQL one can implement the same interface for several managers.
 */
export interface Store extends StoreOperations {
  /**
   * Runs `work` in one transaction: it commits when `work` resolves and rolls
   * back when it throws. `work` must use only `tx`, never the outer store.
   */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;
  /** Returns true when a trivial query against the database succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
