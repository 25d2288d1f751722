import { parseDuration, type FailureStrategy } from '@kiln/pipeline';
import type { StepOutcome } from './task-context.js';

/** A failure action the executor applies to a step. */
export type FailureAction =
  | { type: 'Abort' | 'Fail' | 'Ignore' | 'MarkAsSuccess' | 'StageRollback' }
  | { type: 'Retry'; retryCount: number; retryIntervalsMs: number[]; onRetryFailure: FailureAction };

/** A chosen failure action and its source for log lines: `step`, `step group g1` or `stage`. */
export interface ChosenAction {
  action: FailureAction;
  source: string;
}

/** One level of failure strategies around a step: its own, a step group's or the stage's. */
export interface StrategyLevel {
  source: string;
  strategies: readonly FailureStrategy[];
}

/** Failure types kiln reports that Harness's error list has no entry for; `Unknown` covers them, as in Harness. */
const UNKNOWN_TYPES = new Set(['Application', 'Unknown']);

/** Returns true when a strategy's `errors` list covers a failure type (`AllErrors` covers all of them). */
export function matchesFailure(errors: readonly string[], failureType: string | undefined): boolean {
  const type = failureType ?? 'Unknown';
  if (errors.includes('AllErrors') || errors.includes(type)) return true;
  return errors.includes('Unknown') && UNKNOWN_TYPES.has(type);
}

function toAction(action: FailureStrategy['onFailure']['action']): FailureAction {
  if (action.type !== 'Retry') return { type: action.type as Exclude<FailureAction['type'], 'Retry'> };
  const spec = action.spec ?? {};
  const intervals = Array.isArray(spec.retryIntervals) ? spec.retryIntervals : [];
  const onRetryFailure = (spec.onRetryFailure as { action?: FailureStrategy['onFailure']['action'] } | undefined)?.action;
  return {
    type: 'Retry',
    retryCount: Math.max(0, Math.trunc(Number(spec.retryCount ?? 0)) || 0),
    retryIntervalsMs: intervals.map((interval) => parseDuration(String(interval)) ?? 0),
    onRetryFailure: onRetryFailure === undefined ? { type: 'Fail' } : toAction(onRetryFailure),
  };
}

/**
 * Picks the failure action for a failed step. Levels are searched innermost
 * first (the step, its step groups, the stage), and the first strategy whose
 * `errors` cover the failure type wins, so a step's strategy for Timeout
 * overrides the stage's for AllErrors while the stage's still covers the
 * other errors. Returns undefined when no strategy matches, so the step fails.
 */
export function chooseFailureAction(levels: readonly StrategyLevel[], failureType: string | undefined): ChosenAction | undefined {
  for (const level of levels) {
    const strategy = level.strategies.find((candidate) => matchesFailure(candidate.onFailure.errors, failureType));
    if (strategy !== undefined) return { action: toAction(strategy.onFailure.action), source: level.source };
  }
  return undefined;
}

/** Returns the wait before retry number `retry` (from 1): its interval, or the last one when the list is shorter. */
export function retryDelayMs(action: Extract<FailureAction, { type: 'Retry' }>, retry: number): number {
  const intervals = action.retryIntervalsMs;
  return intervals[Math.min(retry, intervals.length) - 1] ?? 0;
}

/**
 * Applies a final (non-Retry) action to a failed outcome: Ignore makes it
 * IgnoreFailed, MarkAsSuccess makes it Succeeded, Abort makes it Aborted, and
 * Fail or StageRollback keep it as it is. The error stays on the outcome, so
 * the step still shows why it failed.
 */
export function applyFinalAction(action: FailureAction, outcome: StepOutcome, source: string): StepOutcome {
  switch (action.type) {
    case 'Ignore':
      return { ...outcome, status: 'IgnoreFailed' };
    case 'MarkAsSuccess':
      return { ...outcome, status: 'Succeeded' };
    case 'Abort': {
      const message = `the ${source} failure strategy aborted the stage: ${outcome.error?.message ?? outcome.status}`;
      return { ...outcome, status: 'Aborted', error: { code: 'ABORTED', message, failureType: outcome.error?.failureType ?? 'Unknown' } };
    }
    default:
      return outcome;
  }
}
