import type { When } from '@kiln/pipeline';
import { KilnError, type ErrorRecord } from '@kiln/protocol';
import { errorRecord } from './step-outcome.js';
import type { TaskContext } from './task-context.js';

/** Whether a step or step group runs: `run`, `skip` with the reason, or `error` when its condition cannot be evaluated. */
export type StepDecision = { kind: 'run' } | { kind: 'skip'; reason: string } | { kind: 'error'; error: ErrorRecord };

/** The state of the stage that a `when` reads. */
export interface StageState {
  /** True once a step failed (and no failure strategy ignored it). */
  failed: boolean;
  /** True once the stage was aborted: cancel, lease loss, stage timeout or an Abort failure action. */
  aborted: boolean;
}

/**
 * Decides whether a step or step group runs, as Harness does: `stageStatus`
 * Success (the default, also without `when`) runs it only while no step has
 * failed, Failure only after a failure, All in both cases. Then
 * `when.condition`, whose manager-side parts the manager already resolved, is
 * evaluated here with the step outputs, commit SHA and secrets. Nothing runs
 * once the stage is aborted.
 */
export function decideStep(ctx: TaskContext, id: string, when: When | undefined, stage: StageState): StepDecision {
  if (stage.aborted) return { kind: 'skip', reason: 'the stage was aborted' };
  const status = when?.stageStatus ?? 'Success';
  if (status === 'Success' && stage.failed) return { kind: 'skip', reason: 'an earlier step failed (when.stageStatus Success)' };
  if (status === 'Failure' && !stage.failed) return { kind: 'skip', reason: 'no earlier step failed (when.stageStatus Failure)' };
  const condition = when?.condition;
  if (condition === undefined || condition.trim() === '') return { kind: 'run' };
  try {
    return ctx.expressions.condition(condition, `when.condition of ${id}`) ? { kind: 'run' } : { kind: 'skip', reason: `when.condition ${condition} is false` };
  } catch (error) {
    const code = error instanceof KilnError ? error.code : 'INVALID_PIPELINE';
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'error', error: errorRecord(code, `${id}: cannot evaluate when.condition: ${message}`, (text) => ctx.masker.mask(text)) };
  }
}
