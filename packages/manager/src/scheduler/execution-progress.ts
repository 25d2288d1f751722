import { isSuccessful, isTerminal, type Status, type TaskPayload } from '@kiln/protocol';
import { resolveStageOutputs, type Stage, type StageOutputs, type When } from '@kiln/pipeline';
import type { DelegateRecord, EpochMs, ExecutionRecord, StageRecord, StoreOperations, TaskRecord, TaskResult } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import { queueReason } from './delegate-match.js';
import { parsePlan, type PlannedStage } from './plan.js';
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
 * Decides on the manager whether a stage runs, as Harness does:
 * `pipelineStatus` Success (the default, also without `when`) runs it only
 * while no earlier stage failed, Failure only after a failure, All in both
 * cases. A `when.condition` is skipped here only when the manager could
 * evaluate it alone (it is `false` after resolution). A condition with
 * delegate-side parts (secrets, step outputs) goes with the stage, and the
 * delegate skips the stage when it is false.
 */
export function stageDecision(when: When | undefined, earlierFailed: boolean): 'run' | 'skip' {
  const status = when?.pipelineStatus ?? 'Success';
  if (status === 'Success' && earlierFailed) return 'skip';
  if (status === 'Failure' && !earlierFailed) return 'skip';
  return when?.condition?.trim() === 'false' ? 'skip' : 'run';
}

/** Collects the output variables of the execution's steps, from each step's latest attempt, by stage and step id. */
async function stageOutputs(tx: StoreOperations, executionId: string): Promise<StageOutputs> {
  const outputs: StageOutputs = {};
  const attempts = new Map<string, number>();
  for (const step of await tx.listSteps(executionId)) {
    const key = `${step.stageId}\u0000${step.stepId}`;
    if ((attempts.get(key) ?? 0) > step.attempt) continue;
    attempts.set(key, step.attempt);
    (outputs[step.stageId] ??= {})[step.stepId] = step.outputs;
  }
  return outputs;
}

/**
 * The execution state machine: queues stage tasks group by group, and moves
 * stages and executions to their final status. Every method works inside the
 * caller's transaction and records what to do after commit in `effects`.
 */
/**
 * How long the delegate list read for a queued task's reason is reused when it shows a matching delegate.
 * Reading it for every queued stage dominated the manager's CPU under load; a delegate that died within
 * that time is caught by the dispatch sweep, which recomputes each queued task's reason about once a second.
 */
const DELEGATES_SNAPSHOT_MS = 1000;

export class ExecutionProgress {
  private delegatesSnapshot: { readAt: number; delegates: DelegateRecord[] } | undefined;

  constructor(private readonly options: ProgressOptions) {}

  /** Returns why a task with `selectors` waits; a cached delegate list serves only when it shows a match. */
  private async waitReason(tx: StoreOperations, selectors: readonly string[], now: number): Promise<string> {
    const stale = this.options.delegateStaleAfterMs;
    const snapshot = this.delegatesSnapshot;
    if (snapshot !== undefined && now - snapshot.readAt <= DELEGATES_SNAPSHOT_MS && queueReason(selectors, snapshot.delegates, now, stale) === '') {
      return '';
    }
    const delegates = await tx.listDelegates();
    this.delegatesSnapshot = { readAt: now, delegates };
    return queueReason(selectors, delegates, now, stale);
  }

  /**
   * Decides what comes next for an execution: wait for running stages, queue
   * the next stage group, or finish it. Each stage of the next group first
   * passes its `when` (see stageDecision), and a stage it skips ends Skipped.
   * When a whole group is skipped, the group after it is tried. After a failed
   * stage only stages with `pipelineStatus` Failure or All still run. After an
   * aborted stage or a cancel nothing runs, and the stages left end Skipped.
   */
  async advance(tx: StoreOperations, effects: CommitEffects, executionId: string): Promise<void> {
    const execution = await tx.getExecution(executionId);
    if (execution === undefined || isTerminal(execution.status)) return;
    const stages = await tx.listStages(executionId);
    if (stages.some((stage) => !isTerminal(stage.status) && stage.taskId !== undefined)) return;

    let pending = stages.filter((stage) => !isTerminal(stage.status) && stage.taskId === undefined);
    const aborted = stages.find((stage) => stage.status === 'Aborted');
    if (execution.cancelRequested || aborted !== undefined) {
      const message = execution.cancelRequested ? 'cancelled by user' : `stage ${aborted?.stageId ?? ''} aborted: ${aborted?.errorMessage ?? 'no error message'}`;
      await this.finish(tx, effects, execution, pending, 'Aborted', message);
      return;
    }
    const failed = stages.find((stage) => isTerminal(stage.status) && !isSuccessful(stage.status));
    const plan = parsePlan(execution.preparedJson);
    while (pending.length > 0) {
      const nextGroup = Math.min(...pending.map((stage) => stage.groupIndex));
      const group = pending.filter((stage) => stage.groupIndex === nextGroup);
      const outputs = await stageOutputs(tx, executionId);
      let queued = 0;
      for (const stage of group) {
        const planned = plan.stages.find((candidate) => candidate.stageId === stage.stageId);
        if (planned === undefined) throw new Error(`execution ${execution.id} has no plan for stage ${stage.stageId}`);
        const resolved = resolveStageOutputs(planned.payload.stage as Stage, outputs);
        if (stageDecision(resolved.when, failed !== undefined) === 'skip') {
          await tx.updateStage(execution.id, stage.stageId, { status: 'Skipped', finishedAt: this.options.clock() });
          continue;
        }
        await this.queueStage(tx, effects, execution, stage, { ...planned, payload: { ...planned.payload, stage: resolved } });
        queued += 1;
      }
      if (queued > 0) return;
      pending = pending.filter((stage) => stage.groupIndex !== nextGroup);
    }
    if (failed === undefined) {
      await this.finish(tx, effects, execution, [], 'Succeeded', undefined);
      return;
    }
    await this.finish(tx, effects, execution, [], 'Failed', `stage ${failed.stageId} ${failed.status.toLowerCase()}: ${failed.errorMessage ?? 'no error message'}`);
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
  private async queueStage(tx: StoreOperations, effects: CommitEffects, execution: ExecutionRecord, stage: StageRecord, planned: PlannedStage): Promise<void> {
    const taskId = await this.insertQueuedTask(tx, effects, {
      executionId: execution.id, stageId: stage.stageId, attempt: stage.attempt, selectors: planned.selectors, payload: planned.payload,
    });
    await tx.updateStage(execution.id, stage.stageId, { taskId });
    effects.executionChanged(execution.id);
  }

  /**
   * Inserts a queued task for one attempt of a stage, with the reason it may wait, and returns its id.
   * `payload` is the stage's task payload without the task id and attempt, which this fills in.
   */
  async insertQueuedTask(
    tx: StoreOperations,
    effects: CommitEffects,
    task: { executionId: string; stageId: string; attempt: number; selectors: string[]; payload: Omit<TaskPayload, 'taskId' | 'attempt'> },
  ): Promise<string> {
    const now = this.options.clock();
    const taskId = this.options.newId();
    const payload: TaskPayload = { ...task.payload, taskId, attempt: task.attempt };
    await tx.insertTask({
      id: taskId,
      executionId: task.executionId,
      stageId: task.stageId,
      attempt: task.attempt,
      state: 'queued',
      offerId: undefined,
      offerDeadline: undefined,
      leaseId: undefined,
      leaseExpiresAt: undefined,
      delegateId: undefined,
      selectors: task.selectors,
      payloadJson: JSON.stringify(payload),
      reason: await this.waitReason(tx, task.selectors, now),
      cancelRequested: false,
      result: undefined,
      queuedAt: now,
      offeredAt: undefined,
      acceptedAt: undefined,
      finishedAt: undefined,
    });
    effects.tasksQueued = true;
    return taskId;
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

  /**
   * Records a stage's final status reported by its delegate, ends its task and advances the execution.
   * NOTE: the stage's Ignore, MarkAsSuccess and Abort strategies are applied by the delegate to step
   * failures only. A stage that fails outside its steps (stage variables, the clone, the stage timeout)
   * keeps its status here.
   */
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
