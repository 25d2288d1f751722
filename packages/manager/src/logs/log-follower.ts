import { isTerminal, type LogStream } from '@kiln/protocol';
import type { ChangeNotifier } from '../scheduler/change-notifier.js';
import type { EpochMs, StoreOperations, StoredLogLine } from '../store/store.js';
import { findIncompleteSteps, type IncompleteStep } from './log-completeness.js';

/** One line sent to a log reader. */
export interface LogLineOut {
  stageId: string;
  stepId: string;
  attempt: number;
  seq: number;
  ts: EpochMs;
  stream: LogStream;
  text: string;
  /** Set on a line that reports a gap or a missing completeness record. */
  incomplete: boolean;
}

export interface LogFollowRequest {
  executionId: string;
  follow: boolean;
  stageId?: string;
  stepId?: string;
}

export interface LogFollowerOptions {
  /** Reads run one at a time through this function; it is the store's transaction runner. */
  read: <T>(work: (tx: StoreOperations) => Promise<T>) => Promise<T>;
  notifier: ChangeNotifier;
  clock: () => EpochMs;
  /** How long a follower waits after the execution ends for missing completeness records, in ms. */
  completenessWaitMs: number;
}

/** Lines read from the store per query. */
const PAGE_SIZE = 2000;

/** Sort key of a log line: stage position, step start order, attempt, seq. */
interface LineOrder {
  stageIndex: Map<string, number>;
  stepOrder: Map<string, number>;
}

function stepKey(stageId: string, stepId: string, attempt: number): string {
  return `${stageId}\u0000${stepId}\u0000${attempt}`;
}

function compareLines(order: LineOrder, a: StoredLogLine, b: StoredLogLine): number {
  const stage = (order.stageIndex.get(a.stageId) ?? Infinity) - (order.stageIndex.get(b.stageId) ?? Infinity);
  if (stage !== 0 && !Number.isNaN(stage)) return stage;
  const stepA = order.stepOrder.get(stepKey(a.stageId, a.stepId, a.attempt)) ?? Infinity;
  const stepB = order.stepOrder.get(stepKey(b.stageId, b.stepId, b.attempt)) ?? Infinity;
  if (stepA !== stepB) return stepA < stepB ? -1 : 1;
  if (a.stepId !== b.stepId) return a.stepId < b.stepId ? -1 : 1;
  return a.attempt - b.attempt || a.seq - b.seq;
}

function toOut(line: StoredLogLine): LogLineOut {
  return { stageId: line.stageId, stepId: line.stepId, attempt: line.attempt, seq: line.seq, ts: line.ts, stream: line.stream, text: line.text, incomplete: false };
}

function incompleteLine(step: IncompleteStep, now: EpochMs): LogLineOut {
  return { stageId: step.stageId, stepId: step.stepId, attempt: step.attempt, seq: 0, ts: now, stream: 'system', text: step.description, incomplete: true };
}

/**
 * Reads an execution's log: stored lines ordered by stage, step start order,
 * attempt and seq. With `follow`, it then sends new lines as they commit. It
 * ends when the execution is final and every finished step's log is complete.
 * After the completeness wait it ends anyway, and reports each gap as an
 * incomplete line.
 */
export async function* followLogs(options: LogFollowerOptions, request: LogFollowRequest, signal: AbortSignal): AsyncGenerator<LogLineOut> {
  let changed = true;
  let wakeUp: (() => void) | undefined;
  const unsubscribe = options.notifier.subscribe(request.executionId, () => {
    changed = true;
    wakeUp?.();
  });
  const onAbort = (): void => wakeUp?.();
  signal.addEventListener('abort', onAbort);
  let cursor = 0;
  try {
    while (!signal.aborted) {
      changed = false;
      const batch = await readBatch(options, request, cursor);
      cursor = batch.cursor;
      for (const line of batch.lines) yield line;
      if (batch.more) continue;
      let timeoutMs: number | undefined;
      if (batch.finishedAt !== undefined) {
        if (batch.incomplete.length === 0) return;
        timeoutMs = batch.finishedAt + options.completenessWaitMs - options.clock();
        if (timeoutMs <= 0) {
          for (const step of batch.incomplete) yield incompleteLine(step, options.clock());
          return;
        }
      }
      if (!request.follow) return;
      if (changed) continue;
      await waitForChange((resolve) => (wakeUp = resolve), timeoutMs);
      wakeUp = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

function waitForChange(register: (resolve: () => void) => void, timeoutMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs);
    timer?.unref();
    register(() => {
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    });
  });
}

async function readBatch(options: LogFollowerOptions, request: LogFollowRequest, cursor: number) {
  return options.read(async (tx) => {
    const execution = await tx.getExecution(request.executionId);
    const lines = await tx.readLogLines(request.executionId, cursor, PAGE_SIZE);
    const stages = await tx.listStages(request.executionId);
    const steps = await tx.listSteps(request.executionId);
    const order: LineOrder = {
      stageIndex: new Map(stages.map((stage) => [stage.stageId, stage.stageIndex])),
      stepOrder: new Map(steps.map((step) => [stepKey(step.stageId, step.stepId, step.attempt), step.startOrder])),
    };
    const selected = lines
      .filter((line) => (!request.stageId || line.stageId === request.stageId) && (!request.stepId || line.stepId === request.stepId))
      .sort((a, b) => compareLines(order, a, b));
    const terminal = execution === undefined || isTerminal(execution.status);
    const finishedAt = terminal ? (execution?.finishedAt ?? 0) : undefined;
    // Completeness counts each step's stored lines, so it is checked only once the reader has caught up.
    const caughtUp = lines.length < PAGE_SIZE;
    const incomplete = terminal && caughtUp ? await findIncompleteSteps(tx, request.executionId, steps) : [];
    const filtered = incomplete.filter((step) => (!request.stageId || step.stageId === request.stageId) && (!request.stepId || step.stepId === request.stepId));
    return {
      lines: selected.map(toOut),
      cursor: lines.at(-1)?.rowId ?? cursor,
      more: !caughtUp,
      finishedAt,
      incomplete: filtered,
    };
  });
}
