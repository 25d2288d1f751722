import type { FailureStrategy } from '@kiln/pipeline';
import { applyFinalAction, chooseFailureAction, matchesFailure, retryDelayMs } from './failure-strategy.js';

function strategy(errors: string[], type: string, spec?: Record<string, unknown>): FailureStrategy {
  return { onFailure: { errors, action: spec === undefined ? { type } : { type, spec } } };
}

describe('matchesFailure', () => {
  it.each([
    [['AllErrors'], 'Timeout', true],
    [['Timeout'], 'Timeout', true],
    [['Timeout'], 'Application', false],
    [['Unknown'], 'Application', true],
    [['Unknown'], undefined, true],
    [['Authentication'], 'Authentication', true],
    [['Connectivity'], 'Authentication', false],
  ])('errors %j with failure type %s is %s', (errors, failureType, expected) => {
    expect(matchesFailure(errors, failureType)).toBe(expected);
  });
});

describe('chooseFailureAction', () => {
  describe('when the step and the stage both have a matching strategy', () => {
    it('takes the step strategy', () => {
      const chosen = chooseFailureAction(
        [
          { source: 'step', strategies: [strategy(['Timeout'], 'Ignore')] },
          { source: 'stage', strategies: [strategy(['AllErrors'], 'Abort')] },
        ],
        'Timeout',
      );
      expect(chosen).toEqual({ source: 'step', action: { type: 'Ignore' } });
    });
  });

  describe('when the step strategy does not cover the failure type', () => {
    it('falls back to the step group, then the stage', () => {
      const levels = [
        { source: 'step', strategies: [strategy(['Timeout'], 'Ignore')] },
        { source: 'step group g', strategies: [strategy(['Connectivity'], 'MarkAsSuccess')] },
        { source: 'stage', strategies: [strategy(['AllErrors'], 'Abort')] },
      ];
      expect(chooseFailureAction(levels, 'Connectivity')?.source).toBe('step group g');
      expect(chooseFailureAction(levels, 'Application')).toEqual({ source: 'stage', action: { type: 'Abort' } });
    });
  });

  describe('when no strategy matches', () => {
    it('returns undefined', () => {
      expect(chooseFailureAction([{ source: 'step', strategies: [strategy(['Timeout'], 'Ignore')] }], 'Application')).toBeUndefined();
    });
  });

  describe('when the action is Retry', () => {
    it('reads the count, the intervals and onRetryFailure', () => {
      const retry = strategy(['AllErrors'], 'Retry', { retryCount: 2, retryIntervals: ['1s', '2s'], onRetryFailure: { action: { type: 'MarkAsSuccess' } } });
      const chosen = chooseFailureAction([{ source: 'step', strategies: [retry] }], 'Application');
      expect(chosen?.action).toEqual({ type: 'Retry', retryCount: 2, retryIntervalsMs: [1000, 2000], onRetryFailure: { type: 'MarkAsSuccess' } });
    });
  });
});

describe('retryDelayMs', () => {
  it('uses the last interval for later retries', () => {
    const action = { type: 'Retry' as const, retryCount: 4, retryIntervalsMs: [100, 500], onRetryFailure: { type: 'Fail' as const } };
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(action, retry))).toEqual([100, 500, 500, 500]);
  });
});

describe('applyFinalAction', () => {
  const failed = { status: 'Failed' as const, exitCode: 3, error: { code: 'STEP_FAILED', message: 'step s exited with code 3', failureType: 'Application' } };

  it.each([
    ['Ignore', 'IgnoreFailed'],
    ['MarkAsSuccess', 'Succeeded'],
    ['Abort', 'Aborted'],
    ['Fail', 'Failed'],
    ['StageRollback', 'Failed'],
  ] as const)('%s gives status %s', (type, status) => {
    expect(applyFinalAction({ type }, failed, 'step').status).toBe(status);
  });

  it('keeps the failure message under Abort', () => {
    expect(applyFinalAction({ type: 'Abort' }, failed, 'step').error?.message).toBe('the step failure strategy aborted the stage: step s exited with code 3');
  });
});
