import { isKilnError } from '@kiln/protocol';
import { evaluateCondition, resolveDelegateDeep, resolveDelegateExpressions, type DelegateExpressionContext } from './index.js';

const context: DelegateExpressionContext = {
  secret: (ref) => ({ 'account.pw': 's3cret', token: 'tok' })[ref],
  codebase: { commitSha: '0123456789abcdef', branch: 'main' },
  stepOutputs: { build: { VERSION: '1.2.3' }, 'group/inner': { OUT: 'x' } },
};

describe('resolveDelegateExpressions', () => {
  it('resolves secrets by reference', () => {
    expect(resolveDelegateExpressions('-p <+secrets.getValue("account.pw")> <+secrets.getValue("token")>', context)).toBe('-p s3cret tok');
  });

  it('resolves the commit SHA and its short form', () => {
    expect(resolveDelegateExpressions('<+codebase.commitSha>/<+codebase.shortCommitSha>', context)).toBe('0123456789abcdef/0123456');
  });

  it('resolves step outputs, including steps in a group', () => {
    expect(resolveDelegateExpressions('<+steps.build.output.outputVariables.VERSION> <+steps.group.steps.inner.output.outputVariables.OUT> <+steps.inner.output.outputVariables.OUT>', context)).toBe('1.2.3 x x');
  });

  it('resolves an output that does not exist to null, as Harness does', () => {
    expect(resolveDelegateExpressions('<+steps.later.output.outputVariables.V>', context)).toBe('null');
  });

  it('evaluates expressions the manager partly resolved', () => {
    expect(resolveDelegateExpressions('<+"v12-" + codebase.commitSha.substring(0, 4)>', context)).toBe('v12-0123');
  });

  it('leaves text without expressions unchanged', () => {
    expect(resolveDelegateExpressions('plain > text', context)).toBe('plain > text');
  });

  it('rejects an unclosed expression', () => {
    expect(() => resolveDelegateExpressions('plain <+ text', context)).toThrow(
      'cannot resolve "plain <+ text": expected ">" to close the expression opened by "<+", found the end of the value',
    );
  });

  describe('when a secret is missing', () => {
    it('throws SECRET_NOT_FOUND naming the reference', () => {
      let caught: unknown;
      try {
        resolveDelegateExpressions('<+secrets.getValue("account.nope")>', context);
      } catch (error) {
        caught = error;
      }
      expect(isKilnError(caught, 'SECRET_NOT_FOUND')).toBe(true);
      expect((caught as Error).message).toBe('secret "account.nope" not found: add it under "secrets:" in the delegate config file');
    });
  });

  describe('when a manager-side reference is left', () => {
    it('throws INVALID_PIPELINE', () => {
      expect(() => resolveDelegateExpressions('<+pipeline.sequenceId>', context)).toThrow(
        'cannot resolve "<+pipeline.sequenceId>": "pipeline.sequenceId" was not resolved by the manager before the stage was sent',
      );
    });
  });
});

describe('resolveDelegateDeep', () => {
  it('resolves strings in nested objects and arrays but leaves when conditions', () => {
    const step = {
      spec: { envVariables: { PW: '<+secrets.getValue("token")>' }, tags: ['<+codebase.shortCommitSha>', 'latest'], count: 2 },
      when: { stageStatus: 'Success', condition: '<+codebase.commitSha> != ""' },
    };
    expect(resolveDelegateDeep(step, context)).toEqual({
      spec: { envVariables: { PW: 'tok' }, tags: ['0123456', 'latest'], count: 2 },
      when: { stageStatus: 'Success', condition: '<+codebase.commitSha> != ""' },
    });
  });
});

describe('evaluateCondition', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['<+codebase.branch> == "main"', true],
    ['<+steps.build.output.outputVariables.VERSION>.startsWith("1.") && !(<+codebase.branch> == "dev")', true],
    ['<+steps.build.output.outputVariables.VERSION> == "2" || 1 > 2', false],
    ['<+codebase.branch> == "main" ? <+codebase.tag> == null : false', true],
    ['3 >= 3 && "b" > "a" && 10 > 9', true],
  ])('evaluates %s to %s', (condition, expected) => {
    expect(evaluateCondition(condition, context)).toBe(expected);
  });
});
