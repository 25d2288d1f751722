import { parseDocuments, parseInputSet } from './index.js';
import { QUICKSTART } from './test-support/fixtures.js';

const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
];

/** Returns the quickstart pipeline with `lines` added as the value of a pipeline tag. */
function quickstartWith(lines: string[]): string {
  return QUICKSTART.replace(/^pipeline:\n/m, `pipeline:\n  tags:\n    extra:\n${lines.map((line) => `      ${line}`).join('\n')}\n`);
}

describe('parseDocuments limits', () => {
  describe('when the file is larger than maxBytes', () => {
    it('reports LIMIT_EXCEEDED naming the file and the limit', () => {
      const result = parseDocuments(`${QUICKSTART}\n#${'x'.repeat(1024 * 1024)}`, 'big.yaml');
      expect(result.documents).toEqual([]);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', file: 'big.yaml', line: 1 });
      expect(result.problems[0]?.message).toMatch(/^big\.yaml is at least \d+ bytes, over the limit of 1048576 bytes per YAML file; split it/);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const result = parseDocuments(`# ${'é'.repeat(600)}\n${QUICKSTART}`, 'p.yaml', { maxBytes: 1000 + QUICKSTART.length });
      expect(result.problems[0]?.code).toBe('LIMIT_EXCEEDED');
    });
  });

  describe('when nesting is deeper than maxDepth', () => {
    it('reports LIMIT_EXCEEDED at the first node too deep', () => {
      const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
      const result = parseDocuments(quickstartWith([deep]), 'deep.yaml');
      expect(result.documents).toEqual([]);
      expect(result.problems).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', file: 'deep.yaml', line: 4 })]);
      expect(result.problems[0]?.message).toMatch(/deeper than the limit of 64 levels; flatten/);
    });

    it('accepts the quickstart under a limit of 20', () => {
      expect(parseDocuments(QUICKSTART, 'p.yaml', { maxDepth: 20 }).problems).toEqual([]);
    });
  });

  describe('when aliases expand like a billion laughs bomb', () => {
    it('reports LIMIT_EXCEEDED quickly and names maxAliasCount', () => {
      const started = Date.now();
      const result = parseDocuments(quickstartWith(ALIAS_BOMB), 'bomb.yaml');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.documents).toEqual([]);
      expect(result.problems).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', file: 'bomb.yaml' })]);
      expect(result.problems[0]?.message).toMatch(/aliases expand beyond the limit of 100 \(maxAliasCount\)/);
    });

    it('accepts a few aliases', () => {
      const text = QUICKSTART.replace(/^pipeline:\n/m, 'pipeline:\n  description: &d the quickstart\n  tags:\n    summary: *d\n');
      expect(parseDocuments(text, 'p.yaml').problems).toEqual([]);
    });
  });
});

describe('parseInputSet limits', () => {
  const header = ['inputSet:', '  identifier: nightly', '  name: Nightly', '  pipeline:', '    identifier: CI_Quickstart'];

  it('rejects a file larger than maxBytes', () => {
    const result = parseInputSet(`${header.join('\n')}\n`, 'inputs.yaml', { maxBytes: 10 });
    expect(result.problems).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', file: 'inputs.yaml' })]);
  });

  it('rejects an alias bomb', () => {
    const text = `${header.join('\n')}\n    bomb:\n${ALIAS_BOMB.map((line) => `      ${line}`).join('\n')}\n`;
    const result = parseInputSet(text, 'inputs.yaml');
    expect(result.inputSet).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/maxAliasCount/) })]);
  });

  it('rejects nesting deeper than maxDepth', () => {
    const text = `${header.join('\n')}\n    deep: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    expect(parseInputSet(text, 'inputs.yaml').problems).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED' })]);
  });
});
