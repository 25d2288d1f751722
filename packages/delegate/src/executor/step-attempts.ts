import { parseDuration } from '@kiln/pipeline';
import { sleep } from '../backoff.js';
import type { StepLog } from '../nats/step-log.js';
import { applyFinalAction, chooseFailureAction, retryDelayMs, type StrategyLevel } from './failure-strategy.js';
import { errorRecord, outcomeFromError } from './step-outcome.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';

export type StepHandler = (ctx: TaskContext, run: StepRun, log: StepLog) => Promise<StepOutcome>;

function expired(message: string): StepOutcome {
  return { status: 'Expired', error: { code: 'TIMEOUT', message, failureType: 'Timeout' } };
}

/** Runs the handler once; an error it throws becomes the outcome. */
async function executeStep(ctx: TaskContext, run: StepRun, handler: StepHandler, log: StepLog): Promise<StepOutcome> {
  try {
    return await handler(ctx, run, log);
  } catch (error) {
    return outcomeFromError(error, ctx.signal.aborted, (text) => ctx.masker.mask(text));
  }
}

/**
 * Runs one try of a step under its own `timeout`: when the timeout fires, the
 * step's processes are stopped through the signal and the outcome is Expired
 * with code TIMEOUT. A stopped step whose stage timed out is Expired too.
 */
async function runTry(ctx: TaskContext, run: StepRun, handler: StepHandler, log: StepLog): Promise<StepOutcome> {
  const timeout = run.step.timeout;
  const timeoutMs = timeout === undefined ? undefined : parseDuration(String(timeout));
  if (timeout !== undefined && timeoutMs === undefined) {
    return { status: 'Failed', error: errorRecord('INVALID_ARGUMENT', `step ${run.stepId}: timeout "${timeout}" is not a duration such as 30s, 10m or 1h`, (text) => ctx.masker.mask(text)) };
  }
  let outcome: StepOutcome;
  let timer: AbortSignal | undefined;
  if (timeoutMs === undefined) {
    outcome = await executeStep(ctx, run, handler, log);
  } else {
    timer = AbortSignal.timeout(timeoutMs);
    outcome = await executeStep({ ...ctx, signal: AbortSignal.any([ctx.signal, timer]) }, run, handler, log);
  }
  if (ctx.stageTimeout?.aborted === true && outcome.status === 'Aborted') return expired(`step ${run.stepId} was stopped because the stage timed out`);
  if (timer?.aborted === true && !ctx.signal.aborted) return expired(`step ${run.stepId} timed out after ${timeout}`);
  return outcome;
}

function isFailure(outcome: StepOutcome): boolean {
  return outcome.status === 'Failed' || outcome.status === 'Expired';
}

/**
 * Runs a step and applies its failure strategies (see chooseFailureAction):
 * Retry runs it again after the retry interval up to `retryCount` times, then
 * applies `onRetryFailure`; Ignore, MarkAsSuccess, Abort and Fail apply at
 * once. Every try writes to the same step log, so the step has one log, one
 * step.started and one step.finished whatever the number of tries.
 */
export async function runStepWithStrategies(ctx: TaskContext, run: StepRun, handler: StepHandler, log: StepLog, levels: readonly StrategyLevel[]): Promise<StepOutcome> {
  let outcome = await runTry(ctx, run, handler, log);
  let retries = 0;
  while (isFailure(outcome) && !ctx.signal.aborted) {
    const chosen = chooseFailureAction(levels, outcome.error?.failureType);
    // NOTE: a stage-level Retry retries the whole stage as a new task attempt, which the manager decides; the step just fails here.
    if (chosen === undefined || (chosen.action.type === 'Retry' && chosen.source === 'stage')) return outcome;
    const reason = `${outcome.status}: ${outcome.error?.message ?? 'no error message'}`;
    if (chosen.action.type !== 'Retry') {
      log.system(`${reason}; the ${chosen.source} failure strategy applies ${chosen.action.type}`);
      return applyFinalAction(chosen.action, outcome, chosen.source);
    }
    if (retries >= chosen.action.retryCount) {
      const final = chosen.action.onRetryFailure;
      log.system(`${reason}; no retries left after ${retries}, the ${chosen.source} failure strategy applies onRetryFailure ${final.type}`);
      return applyFinalAction(final, outcome, chosen.source);
    }
    retries += 1;
    const delayMs = retryDelayMs(chosen.action, retries);
    log.system(`${reason}; retry ${retries} of ${chosen.action.retryCount} in ${delayMs / 1000}s (${chosen.source} failure strategy)`);
    ctx.logger.info({ stepId: run.stepId, retry: retries, delayMs }, 'retrying step');
    await sleep(delayMs, ctx.signal);
    if (ctx.signal.aborted) return stoppedBeforeRetry(ctx, run);
    outcome = await runTry(ctx, run, handler, log);
  }
  return outcome;
}

function stoppedBeforeRetry(ctx: TaskContext, run: StepRun): StepOutcome {
  if (ctx.stageTimeout?.aborted === true) return expired(`step ${run.stepId} was stopped because the stage timed out`);
  return { status: 'Aborted', error: { code: 'ABORTED', message: `step ${run.stepId} was stopped while it waited for its retry` } };
}
