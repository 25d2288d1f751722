import type { LogStream } from '@kiln/protocol';
import type {
  AuditRecord,
  ConnectorRow,
  DelegateRecord,
  DelegateState,
  ExecutionRecord,
  LogEndRecord,
  PipelineRecord,
  StageRecord,
  StepRecord,
  StoredLogLine,
  TaskRecord,
  TaskResult,
  TaskState,
  TokenKind,
  TokenRecord,
  TokenRole,
} from './store.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

function text(row: Row, column: string): string {
  return String(row[column]);
}

function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : String(value);
}

function integer(row: Row, column: string): number {
  return Number(row[column]);
}

function optionalInteger(row: Row, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : Number(value);
}

/** Turns `leaseExpiresAt` into `lease_expires_at`. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Converts a record value into what SQLite stores: null for undefined, 0/1 for booleans, JSON for objects. */
export function columnValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value;
}

/** Builds `a = ?, b = ?` and its parameters from a partial record; a key set to undefined stores NULL. */
export function setClause(changes: Record<string, unknown>, renames: Record<string, string> = {}): { sql: string; params: unknown[] } {
  const entries = Object.entries(changes);
  const sql = entries.map(([field]) => `${renames[field] ?? columnName(field)} = ?`).join(', ');
  return { sql, params: entries.map(([, value]) => columnValue(value)) };
}

export function pipelineFromRow(row: Row): PipelineRecord {
  return {
    id: text(row, 'id'),
    org: text(row, 'org'),
    project: text(row, 'project'),
    identifier: text(row, 'identifier'),
    name: text(row, 'name'),
    source: text(row, 'source'),
    sourceFile: text(row, 'source_file'),
    sourceLine: integer(row, 'source_line'),
    modelJson: text(row, 'model_json'),
    nextSequenceId: integer(row, 'next_sequence_id'),
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
  };
}

export function connectorFromRow(row: Row): ConnectorRow {
  return {
    key: text(row, 'key'),
    identifier: text(row, 'identifier'),
    name: text(row, 'name'),
    type: text(row, 'type'),
    org: optionalText(row, 'org'),
    project: optionalText(row, 'project'),
    specJson: text(row, 'spec_json'),
    source: text(row, 'source'),
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
  };
}

export function executionFromRow(row: Row): ExecutionRecord {
  return {
    id: text(row, 'id'),
    pipelineId: text(row, 'pipeline_id'),
    pipelineIdentifier: text(row, 'pipeline_identifier'),
    org: text(row, 'org'),
    project: text(row, 'project'),
    sequenceId: integer(row, 'sequence_id'),
    status: text(row, 'status'),
    buildType: optionalText(row, 'build_type'),
    buildValue: optionalText(row, 'build_value'),
    commitSha: optionalText(row, 'commit_sha'),
    trigger: text(row, 'trigger'),
    preparedJson: text(row, 'prepared_json'),
    cancelRequested: integer(row, 'cancel_requested') === 1,
    errorMessage: optionalText(row, 'error_message'),
    createdAt: integer(row, 'created_at'),
    startedAt: optionalInteger(row, 'started_at'),
    finishedAt: optionalInteger(row, 'finished_at'),
  };
}

export function stageFromRow(row: Row): StageRecord {
  return {
    executionId: text(row, 'execution_id'),
    stageId: text(row, 'stage_id'),
    name: text(row, 'name'),
    stageIndex: integer(row, 'stage_index'),
    groupIndex: integer(row, 'group_index'),
    status: text(row, 'status'),
    attempt: integer(row, 'attempt'),
    taskId: optionalText(row, 'task_id'),
    delegateId: optionalText(row, 'delegate_id'),
    errorMessage: optionalText(row, 'error_message'),
    startedAt: optionalInteger(row, 'started_at'),
    finishedAt: optionalInteger(row, 'finished_at'),
  };
}

export function taskFromRow(row: Row): TaskRecord {
  return {
    id: text(row, 'id'),
    executionId: text(row, 'execution_id'),
    stageId: text(row, 'stage_id'),
    attempt: integer(row, 'attempt'),
    state: text(row, 'state') as TaskState,
    offerId: optionalText(row, 'offer_id'),
    offerDeadline: optionalInteger(row, 'offer_deadline'),
    leaseId: optionalText(row, 'lease_id'),
    leaseExpiresAt: optionalInteger(row, 'lease_expires_at'),
    delegateId: optionalText(row, 'delegate_id'),
    selectors: JSON.parse(text(row, 'selectors_json')) as string[],
    payloadJson: text(row, 'payload_json'),
    reason: text(row, 'reason'),
    cancelRequested: integer(row, 'cancel_requested') === 1,
    result: optionalText(row, 'result') as TaskResult | undefined,
    queuedAt: integer(row, 'queued_at'),
    offeredAt: optionalInteger(row, 'offered_at'),
    acceptedAt: optionalInteger(row, 'accepted_at'),
    finishedAt: optionalInteger(row, 'finished_at'),
    errorMessage: optionalText(row, 'error_message'),
  };
}

export function stepFromRow(row: Row): StepRecord {
  return {
    executionId: text(row, 'execution_id'),
    stageId: text(row, 'stage_id'),
    stepId: text(row, 'step_id'),
    attempt: integer(row, 'attempt'),
    name: text(row, 'name'),
    type: text(row, 'type'),
    status: text(row, 'status'),
    exitCode: optionalInteger(row, 'exit_code'),
    errorCode: optionalText(row, 'error_code'),
    errorMessage: optionalText(row, 'error_message'),
    outputs: JSON.parse(text(row, 'outputs_json')) as Record<string, string>,
    artifacts: JSON.parse(text(row, 'artifacts_json')) as StepRecord['artifacts'],
    startOrder: integer(row, 'start_order'),
    startedAt: optionalInteger(row, 'started_at'),
    finishedAt: optionalInteger(row, 'finished_at'),
  };
}

export function logLineFromRow(row: Row): StoredLogLine {
  return {
    rowId: integer(row, 'id'),
    executionId: text(row, 'execution_id'),
    stageId: text(row, 'stage_id'),
    stepId: text(row, 'step_id'),
    attempt: integer(row, 'attempt'),
    seq: integer(row, 'seq'),
    ts: integer(row, 'ts'),
    stream: text(row, 'stream') as LogStream,
    text: text(row, 'text'),
  };
}

export function logEndFromRow(row: Row): LogEndRecord {
  return {
    executionId: text(row, 'execution_id'),
    stageId: text(row, 'stage_id'),
    stepId: text(row, 'step_id'),
    attempt: integer(row, 'attempt'),
    lastSeq: integer(row, 'last_seq'),
    lineCount: integer(row, 'line_count'),
    byteCount: integer(row, 'byte_count'),
  };
}

export function delegateFromRow(row: Row): DelegateRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    tags: JSON.parse(text(row, 'tags_json')) as string[],
    version: text(row, 'version'),
    executor: text(row, 'executor'),
    builder: text(row, 'builder'),
    builderVersion: text(row, 'builder_version'),
    hostname: text(row, 'hostname'),
    capacity: integer(row, 'capacity'),
    slotsUsed: integer(row, 'slots_used'),
    state: text(row, 'state') as DelegateState,
    sessionTokenHash: text(row, 'session_token_hash'),
    tokenId: optionalText(row, 'token_id'),
    registeredAt: integer(row, 'registered_at'),
    lastHeartbeatAt: integer(row, 'last_heartbeat_at'),
  };
}

export function tokenFromRow(row: Row): TokenRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    kind: text(row, 'kind') as TokenKind,
    role: optionalText(row, 'role') as TokenRole | undefined,
    salt: text(row, 'salt'),
    hash: text(row, 'hash'),
    createdAt: integer(row, 'created_at'),
    expiresAt: optionalInteger(row, 'expires_at'),
    revokedAt: optionalInteger(row, 'revoked_at'),
    lastUsedAt: optionalInteger(row, 'last_used_at'),
  };
}

export function auditFromRow(row: Row): AuditRecord {
  return {
    id: integer(row, 'id'),
    at: integer(row, 'at'),
    tokenId: text(row, 'token_id'),
    tokenName: text(row, 'token_name'),
    operation: text(row, 'operation'),
    target: text(row, 'target'),
    peer: text(row, 'peer'),
  };
}
