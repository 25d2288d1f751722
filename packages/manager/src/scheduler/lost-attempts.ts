import { isTerminal, type ErrorRecord, type TaskPayload } from '@kiln/protocol';
import type { Stage } from '@kiln/pipeline';
import type { EpochMs, StoreOperations, TaskRecord } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import type { ExecutionProgress } from './execution-progress.js';
import { failedAttemptRetries, lostAttemptRetries } from './retry-policy.js';

export interface LostAttemptOptions {
  progress: ExecutionProgress;
  clock: () => EpochMs;
}

/** Outcome for a stage after one of its attempts was lost. */
export type LostOutcome = { ended: false } | { ended: true; retried: boolean; nextAttempt?: number };

/** Error code of the steps an attempt was running when it was lost. */
export const LOST_STEP_CODE = 'LEASE_LOST';

/**
 * Ends task attempts whose lease expired or whose delegate stopped
 * heartbeating. The attempt ends with result `lost`, never silently rerun:
 * a new attempt (a new task with attempt + 1) is queued only while the
 * stage's retry policy allows it, otherwise the stage fails.
 */
export class LostAttempts {
  constructor(private readonly options: LostAttemptOptions) {}

  /**
   * Marks a running task's attempt `lost` with `message`, fails the steps it
   * left running and queues the next attempt or fails the stage.
   * Returns `{ ended: false }` when the task was no longer running.
   */
  async endLost(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, message: string): Promise<LostOutcome> {
    const now = this.options.clock();
    const changed = await tx.transitionTask(task.id, 'running', { state: 'done', result: 'lost', finishedAt: now, errorMessage: message });
    if (!changed) return { ended: false };
    await this.failRunningSteps(tx, task, message, now);
    effects.executionChanged(task.executionId);

    const execution = await tx.getExecution(task.executionId);
    const payload = JSON.parse(task.payloadJson) as TaskPayload<Stage>;
    const allowed = 1 + lostAttemptRetries(payload.stage?.failureStrategies);
    if (execution !== undefined && !execution.cancelRequested && !isTerminal(execution.status) && task.attempt < allowed) {
      const nextAttempt = task.attempt + 1;
      await this.queueAttempt(tx, effects, task, payload, nextAttempt);
      return { ended: true, retried: true, nextAttempt };
    }
    const suffix = task.attempt < allowed ? '' : ` (attempt ${task.attempt} of ${allowed} allowed by the stage's retry policy)`;
    await tx.updateStage(task.executionId, task.stageId, { status: 'Failed', errorMessage: `${message}${suffix}`, finishedAt: now });
    await this.options.progress.advance(tx, effects, task.executionId);
    return { ended: true, retried: false };
  }

  /**
   * Queues the next attempt of a stage whose attempt failed when a stage failure strategy with action
   * Retry covers the failure and allows another attempt. Returns false, changing nothing, otherwise.
   * NOTE: retryIntervals are not waited for: the next attempt is queued at once.
   */
  async retryFailed(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, error: ErrorRecord | undefined): Promise<boolean> {
    const execution = await tx.getExecution(task.executionId);
    if (execution === undefined || execution.cancelRequested || isTerminal(execution.status)) return false;
    const payload = JSON.parse(task.payloadJson) as TaskPayload<Stage>;
    const allowed = 1 + failedAttemptRetries(payload.stage?.failureStrategies, error?.failureType);
    if (task.attempt >= allowed) return false;
    const changed = await tx.transitionTask(task.id, task.state, { state: 'done', result: 'failed', finishedAt: this.options.clock(), errorMessage: error?.message });
    if (!changed) return false;
    effects.executionChanged(task.executionId);
    await this.queueAttempt(tx, effects, task, payload, task.attempt + 1);
    return true;
  }

  private async failRunningSteps(tx: StoreOperations, task: TaskRecord, message: string, now: EpochMs): Promise<void> {
    for (const step of await tx.listSteps(task.executionId)) {
      if (step.stageId !== task.stageId || step.attempt !== task.attempt || isTerminal(step.status)) continue;
      const key = { executionId: step.executionId, stageId: step.stageId, stepId: step.stepId, attempt: step.attempt };
      await tx.finishStep(key, { status: 'Failed', exitCode: undefined, errorCode: LOST_STEP_CODE, errorMessage: message, outputs: {}, artifacts: [], finishedAt: now });
    }
  }

  /** Queues attempt `attempt` of the task's stage as a new task with the same payload and selectors. */
  private async queueAttempt(tx: StoreOperations, effects: CommitEffects, previous: TaskRecord, payload: TaskPayload<Stage>, attempt: number): Promise<void> {
    const taskId = await this.options.progress.insertQueuedTask(tx, effects, {
      executionId: previous.executionId, stageId: previous.stageId, attempt, selectors: previous.selectors, payload,
    });
    await tx.updateStage(previous.executionId, previous.stageId, {
      status: 'Queued', attempt, taskId, delegateId: undefined, errorMessage: undefined, startedAt: undefined, finishedAt: undefined,
    });
  }
}
