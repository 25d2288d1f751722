import type { Expr } from './ast.js';
import { DEFERRED, evaluate, type ReferenceResolver } from './evaluate.js';
import { EvaluationError } from './methods.js';
import { parseTemplate } from './parser.js';
import { resolveTextPartially } from './resolve-text.js';

const values: Record<string, string | number | null> = {
  'pipeline.name': 'My App',
  'pipeline.sequenceId': 7,
  'codebase.branch': 'feature/Login-Page',
  'codebase.tag': null,
};

const resolver: ReferenceResolver = {
  resolve(reference) {
    if (reference.side === 'delegate') return DEFERRED;
    const value = values[reference.path.join('.')];
    return value === undefined ? DEFERRED : value;
  },
};

function expressionOf(text: string): Expr {
  const [segment] = parseTemplate(text);
  if (segment?.kind !== 'expression') throw new Error('expected an expression');
  return segment.expression;
}

describe('evaluate', () => {
  it.each([
    ['<+codebase.branch.replace("/", "-")>', 'feature-Login-Page'],
    ['<+codebase.branch.toLowerCase()>', 'feature/login-page'],
    ['<+codebase.branch.toUpperCase()>', 'FEATURE/LOGIN-PAGE'],
    ['<+codebase.branch.substring(8)>', 'Login-Page'],
    ['<+codebase.branch.substring(0, 7)>', 'feature'],
    ['<+codebase.branch.split("/")[1]>', 'Login-Page'],
    ['<+codebase.branch.indexOf("/")>', 7],
    ['<+codebase.branch.contains("Login")>', true],
    ['<+codebase.branch.startsWith("feature/")>', true],
    ['<+codebase.branch.endsWith("x")>', false],
    ['<+"  a b ".trim()>', 'a b'],
    ['<+pipeline.name + "-" + pipeline.sequenceId>', 'My App-7'],
    ['<+pipeline.sequenceId + 1>', 8],
    ['<+pipeline.sequenceId == "7">', true],
    ['<+pipeline.sequenceId != 7>', false],
    ['<+codebase.tag == null>', true],
    ['<+!codebase.tag>', true],
    ['<+pipeline.sequenceId == 7 ? "seven" : "other">', 'seven'],
    ['<+pipeline.sequenceId < 5 ? "small" : "big">', 'big'],
    ['<+codebase.branch.split("/").size()>', 2],
    ['<+<+pipeline.name>.length()>', 6],
  ])('evaluates %s', (text, expected) => {
    expect(evaluate(expressionOf(text), resolver)).toEqual(expected);
  });

  it('defers an expression that needs a delegate-side value', () => {
    expect(evaluate(expressionOf('<+codebase.commitSha.substring(0, 7)>'), resolver)).toBe(DEFERRED);
  });

  it('short-circuits around a deferred operand', () => {
    expect(evaluate(expressionOf('<+codebase.commitSha == "x" && pipeline.sequenceId == 1>'), resolver)).toBe(false);
  });

  it.each([
    ['<+codebase.branch.substring(50)>', 'substring(50, 18) is out of range for a string of length 18'],
    ['<+codebase.tag.toLowerCase()>', 'cannot call toLowerCase() on null: the value it applies to is not set'],
    ['<+codebase.branch.replace("a")>', 'replace() takes 2 argument(s), got 1'],
    ['<+pipeline.name - 1>', '"-" needs two numbers, got "My App" and 1'],
    ['<+nope>', 'unknown reference "nope"'],
  ])('rejects %s', (text, message) => {
    expect(() => evaluate(expressionOf(text), resolver)).toThrow(new EvaluationError(message, 0, 0));
  });
});

describe('resolveTextPartially', () => {
  it('substitutes values and keeps deferred expressions', () => {
    expect(resolveTextPartially('<+pipeline.name>:<+codebase.commitSha.substring(0, pipeline.sequenceId)>', resolver)).toBe(
      'My App:<+codebase.commitSha.substring(0, 7)>',
    );
  });

  it('keeps a runtime input as written', () => {
    expect(resolveTextPartially('<+input>.default(a)', resolver)).toBe('<+input>.default(a)');
  });
});
