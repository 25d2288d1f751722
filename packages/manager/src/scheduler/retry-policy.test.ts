import type { FailureStrategy } from '@kiln/pipeline';
import { failedAttemptRetries, lostAttemptRetries } from './retry-policy.js';

function strategy(errors: string[], type: string, retryCount?: number): FailureStrategy {
  return { onFailure: { errors, action: retryCount === undefined ? { type } : { type, spec: { retryCount } } } };
}

describe('lostAttemptRetries', () => {
  it('retries a lost attempt once by default', () => {
    expect(lostAttemptRetries(undefined)).toBe(1);
  });

  it('follows a strategy that covers a delegate restart', () => {
    expect(lostAttemptRetries([strategy(['DelegateRestart'], 'Retry', 3)])).toBe(3);
    expect(lostAttemptRetries([strategy(['AllErrors'], 'Abort')])).toBe(0);
  });
});

describe('failedAttemptRetries', () => {
  it.each([
    ['no strategy', [], 'Application', 0],
    ['AllErrors with Retry', [strategy(['AllErrors'], 'Retry', 2)], 'Application', 2],
    ['the failure type itself', [strategy(['Authentication'], 'Retry', 1)], 'Authentication', 1],
    ['another failure type', [strategy(['Authentication'], 'Retry', 1)], 'Connectivity', 0],
    ['Unknown covering an application failure', [strategy(['Unknown'], 'Retry', 1)], 'Application', 1],
    ['a failure without a type as Unknown', [strategy(['Unknown'], 'Retry', 1)], undefined, 1],
    ['the first matching strategy only', [strategy(['Timeout'], 'Ignore'), strategy(['AllErrors'], 'Retry', 4)], 'Timeout', 0],
  ] as const)('gives the right count for %s', (_case, strategies, failureType, expected) => {
    expect(failedAttemptRetries([...strategies], failureType)).toBe(expected);
  });
});
