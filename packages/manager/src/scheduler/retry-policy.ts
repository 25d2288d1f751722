import type { FailureStrategy } from '@kiln/pipeline';

/** Automatic retries of a lost attempt when the stage has no failure strategy for it: one. */
export const DEFAULT_LOST_RETRIES = 1;

/** Failure types of a stage's failureStrategies that cover a lost attempt (the delegate went away). */
const LOST_ERROR_TYPES = new Set(['DelegateRestart', 'Unknown', 'AllErrors']);

function retryCountOf(strategy: FailureStrategy): number {
  const action = strategy.onFailure.action;
  if (action.type !== 'Retry') return 0;
  const count = Number(action.spec?.retryCount);
  return Number.isInteger(count) && count >= 0 ? count : DEFAULT_LOST_RETRIES;
}

/**
 * Returns how many new attempts a stage gets after lost ones. The first
 * failure strategy whose `errors` include DelegateRestart, Unknown or
 * AllErrors decides: `Retry` gives its `retryCount`, any other action none.
 * Without such a strategy the default is {@link DEFAULT_LOST_RETRIES}.
 */
export function lostAttemptRetries(strategies: readonly FailureStrategy[] | undefined): number {
  for (const strategy of strategies ?? []) {
    const errors = strategy.onFailure?.errors ?? [];
    if (errors.some((error) => LOST_ERROR_TYPES.has(error))) return retryCountOf(strategy);
  }
  return DEFAULT_LOST_RETRIES;
}

/**
 * Returns how many new attempts a stage gets after failed ones. The first failure strategy whose `errors`
 * cover the failure decides: `AllErrors` covers every failure, a failure type covers itself, and `Unknown`
 * also covers an application failure (a step's non-zero exit), which Harness's list has no entry for.
 * `Retry` gives its `retryCount`; any other action, or no matching strategy, gives none.
 */
export function failedAttemptRetries(strategies: readonly FailureStrategy[] | undefined, failureType: string | undefined): number {
  const type = failureType ?? 'Unknown';
  for (const strategy of strategies ?? []) {
    const errors = strategy.onFailure?.errors ?? [];
    const covered = errors.includes('AllErrors') || errors.includes(type) || (errors.includes('Unknown') && type === 'Application');
    if (covered) return strategy.onFailure.action.type === 'Retry' ? retryCountOf(strategy) : 0;
  }
  return 0;
}
