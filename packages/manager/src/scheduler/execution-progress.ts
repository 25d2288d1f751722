import { isSuccessful, isTerminal, type Status, type TaskPayload } from '@kiln/protocol';
import type { EpochMs, ExecutionRecord, StageRecord, StoreOperations, TaskRecord, TaskResult } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import { queueReason } from './delegate-match.js';
import { parsePlan } from './plan.js';
import { canAdvance } from './status-order.js';

export interface ProgressOptions {
  clock: () => EpochMs;
  newId: () => string;
  /** An active delegate without a heartbeat for this long no longer counts as a match for queued tasks. */
  delegateStaleAfterMs: number;
}

/** Maps a stage's final status to how its task ended. */
export function taskResultOf(status: string): TaskResult {
  if (status === 'Succeeded' || status === 'IgnoreFailed' || status === 'Skipped') return 'succeeded';
  return status === 'Aborted' ? 'aborted' : 'failed';
}

/**
 * The execution state machine: queues stage tasks group by group, and moves
 * stages and executions to their final status. Every method works inside the
 * caller's transaction and records what to do after commit in `effects`.
 */
export class ExecutionProgress {
  constructor(private readonly options: ProgressOptions) {}

  /**
   * Decides what comes next for an execution: queue the next stage group,
   * wait for running stages, or finish it (the stages not yet run are Skipped).
   */
  async advance(tx: StoreOperations, effects: CommitEffects, executionId: string): Promise<void> {
    const execution = await tx.getExecution(executionId);
    if (execution === undefined || isTerminal(execution.status)) return;
    const stages = await tx.listStages(executionId);
    const active = stages.filter((stage) => !isTerminal(stage.status) && stage.taskId !== undefined);
    const pending = stages.filter((stage) => !isTerminal(stage.status) && stage.taskId === undefined);
    if (active.length > 0) return;

    const failed = stages.find((stage) => isTerminal(stage.status) && !isSuccessful(stage.status));
    if (execution.cancelRequested) {
      await this.finish(tx, effects, execution, pending, 'Aborted', 'cancelled by user');
      return;
    }
    if (failed !== undefined) {
      await this.finish(tx, effects, execution, pending, failed.status === 'Aborted' ? 'Aborted' : 'Failed', `stage ${failed.stageId} ${failed.status.toLowerCase()}: ${failed.errorMessage ?? 'no error message'}`);
      return;
    }
    if (pending.length === 0) {
      await this.finish(tx, effects, execution, [], 'Succeeded', undefined);
      return;
    }
    const nextGroup = Math.min(...pending.map((stage) => stage.groupIndex));
    for (const stage of pending.filter((candidate) => candidate.groupIndex === nextGroup)) {
      await this.queueStage(tx, effects, execution, stage);
    }
  }

  private async finish(tx: StoreOperations, effects: CommitEffects, execution: ExecutionRecord, pending: StageRecord[], status: Status, errorMessage: string | undefined): Promise<void> {
    const now = this.options.clock();
    for (const stage of pending) {
      await tx.updateStage(execution.id, stage.stageId, { status: 'Skipped', finishedAt: now });
    }
    await tx.updateExecution(execution.id, { status, finishedAt: now, errorMessage });
    effects.finishedStatuses.push(status);
    effects.executionChanged(execution.id);
  }

  /** Creates the stage's task in state queued, with the reason it may wait. */
  private async queueStage(tx: StoreOperations, effects: CommitEffects, execution: ExecutionRecord, stage: StageRecord): Promise<void> {
    const planned = parsePlan(execution.preparedJson).stages.find((candidate) => candidate.stageId === stage.stageId);
    if (planned === undefined) throw new Error(`execution ${execution.id} has no plan for stage ${stage.stageId}`);
    const now = this.options.clock();
    const taskId = this.options.newId();
    const payload: TaskPayload = { taskId, attempt: stage.attempt, ...planned.payload };
    const delegates = await tx.listDelegates();
    await tx.insertTask({
      id: taskId,
      executionId: execution.id,
      stageId: stage.stageId,
      attempt: stage.attempt,
      state: 'queued',
      offerId: undefined,
      offerDeadline: undefined,
      leaseId: undefined,
      leaseExpiresAt: undefined,
      delegateId: undefined,
      selectors: planned.selectors,
      payloadJson: JSON.stringify(payload),
      reason: queueReason(planned.selectors, delegates, now, this.options.delegateStaleAfterMs),
      cancelRequested: false,
      result: undefined,
      queuedAt: now,
      offeredAt: undefined,
      acceptedAt: undefined,
      finishedAt: undefined,
    });
    await tx.updateStage(execution.id, stage.stageId, { taskId });
    effects.tasksQueued = true;
    effects.executionChanged(execution.id);
  }

  /** Marks the stage and the execution Running when a delegate accepts the stage's task. */
  async taskAccepted(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, delegateId: string): Promise<void> {
    const now = this.options.clock();
    const stage = (await tx.listStages(task.executionId)).find((candidate) => candidate.stageId === task.stageId);
    if (stage !== undefined && canAdvance(stage.status, 'Running')) {
      await tx.updateStage(task.executionId, task.stageId, { status: 'Running', delegateId, attempt: task.attempt, startedAt: now });
    }
    const execution = await tx.getExecution(task.executionId);
    if (execution !== undefined && canAdvance(execution.status, 'Running')) {
      await tx.updateExecution(execution.id, { status: 'Running', startedAt: now });
    }
    effects.executionChanged(task.executionId);
  }

  /** Records a stage's final status reported by its delegate, ends its task and advances the execution. */
  async stageFinished(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, status: string, errorMessage: string | undefined): Promise<void> {
    const now = this.options.clock();
    if (task.state !== 'done') {
      await tx.transitionTask(task.id, task.state, { state: 'done', result: taskResultOf(status), finishedAt: now });
    }
    const stage = (await tx.listStages(task.executionId)).find((candidate) => candidate.stageId === task.stageId);
    if (stage !== undefined && canAdvance(stage.status, status)) {
      await tx.updateStage(task.executionId, task.stageId, { status, errorMessage, finishedAt: now });
    }
    effects.executionChanged(task.executionId);
    await this.advance(tx, effects, task.executionId);
  }

  /** Ends a task whose lease expired: the attempt is `lost` and its stage fails with a message naming the delegate. */
  async leaseExpired(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, delegateName: string): Promise<boolean> {
    const now = this.options.clock();
    const changed = await tx.transitionTask(task.id, 'running', { state: 'done', result: 'lost', finishedAt: now });
    if (!changed) return false;
    const expiredAt = new Date(task.leaseExpiresAt ?? now).toISOString();
    const message = `delegate ${delegateName} (${task.delegateId ?? 'unknown'}) stopped renewing the lease of task ${task.id} attempt ${task.attempt}; the lease expired at ${expiredAt}`;
    // TODO: queue a new attempt when the stage's failure strategy allows a retry. Until then a lost attempt fails the stage.
    await tx.updateStage(task.executionId, task.stageId, { status: 'Failed', errorMessage: message, finishedAt: now });
    effects.executionChanged(task.executionId);
    await this.advance(tx, effects, task.executionId);
    return true;
  }

  /**
   * Cancels an execution: queued and offered tasks end Aborted at once, running
   * ones get a cancel request that the RenewLease reply delivers.
   */
  async cancel(tx: StoreOperations, effects: CommitEffects, execution: ExecutionRecord): Promise<void> {
    if (isTerminal(execution.status)) return;
    const now = this.options.clock();
    await tx.updateExecution(execution.id, { cancelRequested: true });
    for (const task of await tx.listExecutionTasks(execution.id)) {
      if (task.state === 'queued' || task.state === 'offered') {
        const changed = await tx.transitionTask(task.id, task.state, { state: 'done', result: 'aborted', finishedAt: now });
        if (changed) await tx.updateStage(execution.id, task.stageId, { status: 'Aborted', errorMessage: 'cancelled by user before it started', finishedAt: now });
      } else if (task.state === 'running') {
        await tx.updateTask(task.id, { cancelRequested: true });
      }
    }
    effects.executionChanged(execution.id);
    await this.advance(tx, effects, execution.id);
  }
}
