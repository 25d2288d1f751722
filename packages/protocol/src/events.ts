import type { Status } from './status.js';

/** Fencing fields every task-scoped message carries; the manager rejects stale ones. */
export interface TaskScope {
  taskId: string;
  attempt: number;
  leaseId: string;
  executionId: string;
  stageId: string;
}

/** An image reference a build step produced. */
export interface ArtifactRecord {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  pushed: boolean;
}

/** A step or stage error: a stable code, a message a user can act on, and Harness's failure type. */
export interface ErrorRecord {
  code: string;
  message: string;
  /** Authentication, Authorization, Connectivity, ConfigurationFailure, Application, Timeout, Unknown. */
  failureType?: string;
}

interface EventBase extends TaskScope {
  /** Milliseconds since the epoch, on the delegate's clock. */
  ts: number;
}

export interface StageStartedEvent extends EventBase {
  type: 'stage.started';
  delegateId: string;
}

export interface CodebaseClonedEvent extends EventBase {
  type: 'codebase.cloned';
  repoUrl: string;
  commitSha: string;
  branch?: string;
  tag?: string;
}

export interface StepStartedEvent extends EventBase {
  type: 'step.started';
  stepId: string;
  name: string;
  stepType: string;
}

export interface StepFinishedEvent extends EventBase {
  type: 'step.finished';
  stepId: string;
  status: Status;
  exitCode?: number;
  error?: ErrorRecord;
  outputs?: Record<string, string>;
  artifacts?: ArtifactRecord[];
}

export interface StageFinishedEvent extends EventBase {
  type: 'stage.finished';
  status: Status;
  error?: ErrorRecord;
}

export type KilnEvent = StageStartedEvent | CodebaseClonedEvent | StepStartedEvent | StepFinishedEvent | StageFinishedEvent;

export type KilnEventType = KilnEvent['type'];

export const EVENT_TYPES: readonly KilnEventType[] = [
  'stage.started',
  'codebase.cloned',
  'step.started',
  'step.finished',
  'stage.finished',
];

/** `Nats-Msg-Id` of an event; one event of a type per task attempt and step. */
export function eventMessageId(event: KilnEvent): string {
  const stepId = 'stepId' in event ? event.stepId : '';
  return `${event.taskId}:${event.attempt}:${event.type}:${stepId}`;
}

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLineRecord {
  /** Per-step sequence number, starting at 1 and without gaps. */
  seq: number;
  ts: number;
  stream: LogStream;
  text: string;
}

/** A batch of log lines of one step. */
export interface LogBatch extends TaskScope {
  kind: 'lines';
  stepId: string;
  lines: LogLineRecord[];
}

/** Completeness record that closes a step's log. */
export interface LogEnd extends TaskScope {
  kind: 'end';
  stepId: string;
  lastSeq: number;
  lineCount: number;
  byteCount: number;
}

export type LogRecord = LogBatch | LogEnd;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasScope(value: Record<string, unknown>): boolean {
  return (
    typeof value.taskId === 'string' &&
    typeof value.attempt === 'number' &&
    typeof value.leaseId === 'string' &&
    typeof value.executionId === 'string' &&
    typeof value.stageId === 'string'
  );
}

/**
 * Parses a JSON event from the wire.
 * @throws Error naming the missing or invalid field.
 */
export function decodeEvent(data: Uint8Array | string): KilnEvent {
  const value: unknown = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  if (!isObject(value) || !hasScope(value)) {
    throw new Error('invalid event: taskId, attempt, leaseId, executionId and stageId are required');
  }
  if (typeof value.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(value.type)) {
    throw new Error(`invalid event type ${JSON.stringify(value.type)}: expected one of ${EVENT_TYPES.join(', ')}`);
  }
  if ((value.type === 'step.started' || value.type === 'step.finished') && typeof value.stepId !== 'string') {
    throw new Error(`invalid ${value.type} event: stepId is required`);
  }
  return value as unknown as KilnEvent;
}

/**
 * Parses a JSON log record from the wire.
 * @throws Error naming the missing or invalid field.
 */
export function decodeLogRecord(data: Uint8Array | string): LogRecord {
  const value: unknown = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  if (!isObject(value) || !hasScope(value) || typeof value.stepId !== 'string') {
    throw new Error('invalid log record: taskId, attempt, leaseId, executionId, stageId and stepId are required');
  }
  if (value.kind === 'lines') {
    if (!Array.isArray(value.lines)) throw new Error('invalid log record: lines must be an array');
    return value as unknown as LogBatch;
  }
  if (value.kind === 'end') {
    if (typeof value.lastSeq !== 'number') throw new Error('invalid log end record: lastSeq is required');
    return value as unknown as LogEnd;
  }
  throw new Error(`invalid log record kind ${JSON.stringify(value.kind)}: expected lines or end`);
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
