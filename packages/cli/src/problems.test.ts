import { formatProblems, problemsOf } from './problems.js';

describe('problemsOf', () => {
  it('reads the problems and fills missing fields', () => {
    const problems = problemsOf({ problems: [{ code: 'MISSING_INPUT', message: 'imageTag has no value', file: 'ci.yaml', line: 3 }, 'junk', null] });
    expect(problems).toEqual([
      { code: 'MISSING_INPUT', message: 'imageTag has no value', file: 'ci.yaml', line: 3, column: 0, path: '' },
    ]);
  });

  it('returns none when details have no problems array', () => {
    expect(problemsOf({ problems: 'oops' })).toEqual([]);
  });
});

describe('formatProblems', () => {
  it('formats each problem as file:line:column: message (at path)', () => {
    const lines = formatProblems([
      { code: 'INVALID_DURATION', message: "invalid duration '10 minutes'", file: 'ci.yaml', line: 4, column: 12, path: 'pipeline.timeout' },
    ]);
    expect(lines).toEqual(["ci.yaml:4:12: invalid duration '10 minutes' (at pipeline.timeout)"]);
  });
});
