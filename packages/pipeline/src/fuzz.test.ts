import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseDocuments } from './index.js';

const QUICKSTART_LINES = readFileSync(new URL('../../../test/fixtures/quickstart/pipeline.yaml', import.meta.url), 'utf8').split('\n');

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'scalar'; at: number; text: string }
  | { kind: 'alias'; at: number; name: string }
  | { kind: 'nest'; at: number; depth: number };

const index = fc.nat({ max: QUICKSTART_LINES.length * 2 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: index }),
  fc.record({ kind: fc.constant('duplicate' as const), at: index }),
  fc.record({ kind: fc.constant('swap' as const), at: index, with: index }),
  fc.record({ kind: fc.constant('scalar' as const), at: index, text: fc.oneof(fc.string(), fc.constantFrom('<+input>', '<+pipeline.', '~', '!!binary', '? x', '- ', ': ', '"', "'", '|', '>', '&a x', '*a', '---', '...', '%YAML 1.2')) }),
  fc.record({ kind: fc.constant('alias' as const), at: index, name: fc.constantFrom('a', 'b', 'missing') }),
  fc.record({ kind: fc.constant('nest' as const), at: index, depth: fc.integer({ min: 1, max: 300 }) }),
);

/** Returns the line's indentation, so inserted lines land inside the surrounding block often. */
function indentOf(line: string | undefined): string {
  return /^\s*/.exec(line ?? '')?.[0] ?? '';
}

function apply(lines: string[], change: Mutation): string[] {
  const result = [...lines];
  const at = change.at % Math.max(result.length, 1);
  const line = result[at];
  switch (change.kind) {
    case 'delete':
      result.splice(at, 1);
      break;
    case 'duplicate':
      result.splice(at, 0, line ?? '');
      break;
    case 'swap': {
      const other = change.with % Math.max(result.length, 1);
      result[at] = result[other] ?? '';
      result[other] = line ?? '';
      break;
    }
    case 'scalar':
      result.splice(at, 0, `${indentOf(line)}${change.text}`);
      break;
    case 'alias':
      result.splice(at, 0, `${indentOf(line)}k${at}: &${change.name} [x]`, `${indentOf(line)}r${at}: [*${change.name}, *${change.name}, *${change.name}]`);
      break;
    case 'nest':
      result.splice(at, 0, `${indentOf(line)}n${at}: ${'['.repeat(change.depth)}${']'.repeat(change.depth)}`);
      break;
  }
  return result;
}

function expectWellFormed(result: ReturnType<typeof parseDocuments>, file: string): void {
  expect(Array.isArray(result.documents)).toBe(true);
  for (const problem of result.problems) {
    expect(problem.file).toBe(file);
    expect(typeof problem.message).toBe('string');
    expect(problem.line).toBeGreaterThanOrEqual(1);
  }
}

describe('parseDocuments fuzzing', () => {
  describe('when given mutations of the quickstart pipeline', () => {
    it('returns documents or problems without throwing', () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (changes) => {
          const text = changes.reduce(apply, QUICKSTART_LINES).join('\n');
          expectWellFormed(parseDocuments(text, 'fuzz.yaml'), 'fuzz.yaml');
        }),
        { numRuns: 300, seed: 20_261_204 },
      );
    });
  });

  describe('when given random text', () => {
    it('returns problems without throwing', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
          expectWellFormed(parseDocuments(text, 'random.yaml'), 'random.yaml');
        }),
        { numRuns: 200, seed: 20_261_204 },
      );
    });
  });
});
