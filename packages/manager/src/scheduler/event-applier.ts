import type { KilnEvent, LogRecord, StepFinishedEvent, TaskScope } from '@kiln/protocol';
import type { RejectReason } from '../metrics.js';
import type { EpochMs, StoreOperations, TaskRecord } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import type { ExecutionProgress } from './execution-progress.js';
import type { LostAttempts } from './lost-attempts.js';
import { plannedStep } from './planned-steps.js';
import { canAdvance } from './status-order.js';

export type ApplyOutcome = { applied: true } | { applied: false; reason: RejectReason; message: string };

export interface LogApplyOutcome {
  outcome: ApplyOutcome;
  stored: number;
  duplicates: number;
}

/**
 * Checks a message's fencing fields against the task's current lease.
 * Messages of a finished attempt are accepted (logs may arrive after the
 * stage's final event) unless the attempt was lost to a lease expiry.
 */
export async function checkFence(tx: StoreOperations, scope: TaskScope): Promise<{ task: TaskRecord } | { reason: RejectReason; message: string }> {
  const task = await tx.getTask(scope.taskId);
  if (task === undefined) return { reason: 'unknown_task', message: `task ${scope.taskId} is not stored` };
  if (task.executionId !== scope.executionId || task.stageId !== scope.stageId) {
    return { reason: 'scope_mismatch', message: `task ${task.id} belongs to execution ${task.executionId} stage ${task.stageId}, not ${scope.executionId} stage ${scope.stageId}` };
  }
  if (task.attempt !== scope.attempt || task.leaseId !== scope.leaseId) {
    return { reason: 'stale_lease', message: `task ${task.id} is leased as attempt ${task.attempt} lease ${task.leaseId ?? '-'}, not attempt ${scope.attempt} lease ${scope.leaseId}` };
  }
  if (task.result === 'lost') return { reason: 'lease_expired', message: `the lease of task ${task.id} attempt ${task.attempt} expired before this message was applied` };
  return { task };
}

async function finishStep(tx: StoreOperations, event: StepFinishedEvent, task: TaskRecord, now: EpochMs): Promise<void> {
  const key = { executionId: event.executionId, stageId: event.stageId, stepId: event.stepId, attempt: event.attempt };
  let step = await tx.getStep(key.executionId, key.stageId, key.stepId, key.attempt);
  if (step === undefined) {
    // A skipped step is only reported as finished, so its name and type come from the stage plan.
    const planned = plannedStep(task.payloadJson, event.stepId);
    await tx.startStep({ ...key, name: planned?.name ?? event.stepId, type: planned?.type ?? '', status: 'Running', exitCode: undefined, errorCode: undefined, errorMessage: undefined, outputs: {}, artifacts: [], startedAt: undefined, finishedAt: undefined });
    step = await tx.getStep(key.executionId, key.stageId, key.stepId, key.attempt);
  }
  if (step === undefined || !canAdvance(step.status, event.status)) return;
  await tx.finishStep(key, {
    status: event.status,
    exitCode: event.exitCode,
    errorCode: event.error?.code,
    errorMessage: event.error?.message,
    outputs: event.outputs ?? {},
    artifacts: event.artifacts ?? [],
    finishedAt: event.ts || now,
  });
}

/**
 * Applies delegate events and log records to the store inside the caller's
 * transaction. Statuses only move forward, so a redelivered message changes nothing.
 */
export class EventApplier {
  constructor(private readonly options: { progress: ExecutionProgress; attempts: LostAttempts; clock: () => EpochMs }) {}

  async applyEvent(tx: StoreOperations, effects: CommitEffects, event: KilnEvent): Promise<ApplyOutcome> {
    const fence = await checkFence(tx, event);
    if (!('task' in fence)) return { applied: false, ...fence };
    const now = this.options.clock();
    effects.executionChanged(event.executionId);
    switch (event.type) {
      case 'stage.started':
        await this.options.progress.taskAccepted(tx, effects, fence.task, event.delegateId || fence.task.delegateId || '');
        break;
      case 'codebase.cloned':
        await tx.updateExecution(event.executionId, { commitSha: event.commitSha });
        break;
      case 'step.started':
        await tx.startStep({
          executionId: event.executionId,
          stageId: event.stageId,
          stepId: event.stepId,
          attempt: event.attempt,
          name: event.name,
          type: event.stepType,
          status: 'Running',
          exitCode: undefined,
          errorCode: undefined,
          errorMessage: undefined,
          outputs: {},
          artifacts: [],
          startedAt: event.ts || now,
          finishedAt: undefined,
        });
        break;
      case 'step.finished':
        await finishStep(tx, event, fence.task, now);
        break;
      case 'stage.finished':
        if (event.status === 'Failed' && (await this.options.attempts.retryFailed(tx, effects, fence.task, event.error))) break;
        await this.options.progress.stageFinished(tx, effects, fence.task, event.status, event.error?.message);
        break;
    }
    return { applied: true };
  }

  async applyLogRecord(tx: StoreOperations, effects: CommitEffects, record: LogRecord): Promise<LogApplyOutcome> {
    const fence = await checkFence(tx, record);
    if (!('task' in fence)) return { outcome: { applied: false, ...fence }, stored: 0, duplicates: 0 };
    const key = { executionId: record.executionId, stageId: record.stageId, stepId: record.stepId, attempt: record.attempt };
    effects.executionChanged(record.executionId);
    if (record.kind === 'end') {
      await tx.insertLogEnd({ ...key, lastSeq: record.lastSeq, lineCount: record.lineCount, byteCount: record.byteCount });
      return { outcome: { applied: true }, stored: 0, duplicates: 0 };
    }
    const stored = await tx.insertLogLines(key, record.lines);
    return { outcome: { applied: true }, stored, duplicates: record.lines.length - stored };
  }
}
