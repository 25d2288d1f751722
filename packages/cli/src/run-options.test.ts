import { KilnError } from '@kiln/protocol';
import { buildStartRequest, parseInputSetFile, parseInputs, withInputSet } from './run-options.js';

function errorOf(action: () => unknown): KilnError {
  try {
    action();
  } catch (error) {
    if (error instanceof KilnError) return error;
    throw error;
  }
  throw new Error('expected a KilnError');
}

describe('buildStartRequest', () => {
  describe('when --branch and --tag are both given', () => {
    it('rejects them with a message naming both values', () => {
      const error = errorOf(() => buildStartRequest('CI_Quickstart', { branch: 'main', tag: 'v1' }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain("--branch 'main' and --tag 'v1' cannot be used together");
      expect(error.details.hint).toBe('Pass only one of --branch or --tag.');
    });
  });

  describe('when the options are valid', () => {
    it('fills the branch, PR, commit and inputs', () => {
      const request = buildStartRequest('CI_Quickstart', {
        branch: 'feature/x',
        pr: '12',
        commit: 'ABCDEF1',
        set: ['imageTag=v1', 'pipeline.variables.note=a=b'],
      });
      expect(request).toEqual({
        pipeline: 'CI_Quickstart',
        branch: 'feature/x',
        pr_number: '12',
        commit_sha: 'abcdef1',
        inputs: { imageTag: 'v1', 'pipeline.variables.note': 'a=b' },
      });
    });

    it('sends only the pipeline and empty inputs when no ref is given', () => {
      expect(buildStartRequest('CI_Quickstart', {})).toEqual({ pipeline: 'CI_Quickstart', inputs: {} });
    });

    it('fills the tag', () => {
      expect(buildStartRequest('CI_Quickstart', { tag: 'v1.2.0' }).tag).toBe('v1.2.0');
    });
  });

  describe('when a value is malformed', () => {
    it.each([
      [{ pr: 'abc' }, "invalid --pr 'abc'"],
      [{ pr: '0' }, "invalid --pr '0'"],
      [{ commit: 'xyz' }, "invalid --commit 'xyz'"],
      [{ branch: ' ' }, 'empty --branch'],
    ])('rejects %j', (options, message) => {
      expect(errorOf(() => buildStartRequest('CI_Quickstart', options)).message).toBe(message);
    });

    it('rejects an empty pipeline', () => {
      expect(errorOf(() => buildStartRequest(' ', {})).message).toBe('missing PIPELINE');
    });
  });
});

describe('parseInputs', () => {
  it('keeps an empty value', () => {
    expect(parseInputs(['note='])).toEqual({ note: '' });
  });

  it.each(['novalue', '=value', ' =x'])('rejects %j without a name', (assignment) => {
    expect(errorOf(() => parseInputs([assignment])).message).toBe(`invalid --set '${assignment}'`);
  });

  it('rejects a name given twice', () => {
    expect(errorOf(() => parseInputs(['a=1', 'a=2'])).message).toBe('--set a is given more than once');
  });
});

describe('parseInputSetFile', () => {
  const text = 'inputSet:\n  identifier: nightly\n  name: Nightly\n  pipeline:\n    identifier: CI_Quickstart\n    variables:\n      - name: tag\n        value: v1\n    properties:\n      ci:\n        codebase:\n          build:\n            type: tag\n            spec:\n              tag: v1.0\n';

  describe('when the file is an input set for the pipeline', () => {
    it('merges its values under --set and uses its build without a build flag', () => {
      const inputSet = parseInputSetFile(text, 'nightly.yaml', 'CI_Quickstart');
      const merged = withInputSet({ set: ['tag=v2', 'other=x'] }, inputSet);
      expect(merged.inputs).toEqual({ 'pipeline.variables.tag': 'v1', tag: 'v2', other: 'x' });
      expect(buildStartRequest('CI_Quickstart', merged.raw, merged.inputs)).toMatchObject({ tag: 'v1.0' });
    });

    it('keeps --branch over the input set build', () => {
      const merged = withInputSet({ branch: 'main' }, parseInputSetFile(text, 'nightly.yaml', 'CI_Quickstart'));
      expect(merged.raw).toEqual({ branch: 'main' });
    });
  });

  describe('when the input set is for another pipeline', () => {
    it('rejects it naming both pipelines', () => {
      const error = errorOf(() => parseInputSetFile(text, 'nightly.yaml', 'Other'));
      expect(error.message).toBe('--inputs nightly.yaml: input set nightly is for pipeline CI_Quickstart, not Other');
    });
  });

  describe('when the file is not an input set', () => {
    it('carries the problems with their positions', () => {
      const error = errorOf(() => parseInputSetFile('pipeline:\n  identifier: x\n', 'bad.yaml', 'CI_Quickstart'));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details.problems).toEqual([
        expect.objectContaining({ file: 'bad.yaml', line: 1, column: 1, code: 'UNKNOWN_DOCUMENT' }),
        expect.objectContaining({ file: 'bad.yaml', line: 1, column: 1, message: 'the file holds no "inputSet:" document' }),
      ]);
    });
  });
});
