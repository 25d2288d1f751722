import { isTerminal } from '@kiln/protocol';
import type { EpochMs, StoreOperations, TaskRecord } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';

function formatTtl(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/**
 * Ends a task that waited in the queue longer than the queue TTL: the task's
 * result is `expired` and its stage `Expired`. When no other stage of the
 * execution is running, the execution ends `Expired` and its stages not yet
 * run are `Skipped`. Otherwise the execution ends when those stages do.
 * Returns false when the task had left the queue meanwhile.
 */
export async function expireQueuedTask(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, queueTtlMs: number, now: EpochMs): Promise<boolean> {
  const waitReason = task.reason === '' ? '' : ` (reason: ${task.reason})`;
  const message = `stage ${task.stageId} waited in the queue longer than the queue TTL of ${formatTtl(queueTtlMs)} and no delegate took it${waitReason}; start a delegate whose tags match the stage's delegate selectors, or raise --queue-ttl`;
  const changed = await tx.transitionTask(task.id, 'queued', { state: 'done', result: 'expired', finishedAt: now, errorMessage: message });
  if (!changed) return false;
  await tx.updateStage(task.executionId, task.stageId, { status: 'Expired', errorMessage: message, finishedAt: now });
  effects.executionChanged(task.executionId);

  const execution = await tx.getExecution(task.executionId);
  if (execution === undefined || isTerminal(execution.status)) return true;
  const stages = await tx.listStages(task.executionId);
  const running = stages.some((stage) => !isTerminal(stage.status) && stage.taskId !== undefined);
  if (running) return true;
  for (const stage of stages) {
    if (!isTerminal(stage.status)) await tx.updateStage(task.executionId, stage.stageId, { status: 'Skipped', finishedAt: now });
  }
  await tx.updateExecution(task.executionId, { status: 'Expired', finishedAt: now, errorMessage: message });
  effects.finishedStatuses.push('Expired');
  return true;
}
