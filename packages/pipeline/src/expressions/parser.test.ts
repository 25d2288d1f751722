import fc from 'fast-check';
import { ExpressionSyntaxError } from './ast.js';
import { parseCondition, parseTemplate } from './parser.js';
import { printExpression } from './print.js';
import { parseRuntimeInput } from './runtime-input.js';

describe('parseTemplate', () => {
  describe('when the text has no expression', () => {
    it('returns one text segment', () => {
      expect(parseTemplate('make test')).toEqual([{ kind: 'text', text: 'make test', start: 0, end: 9 }]);
    });
  });

  describe('when the text mixes text and expressions', () => {
    const segments = parseTemplate('app:<+pipeline.sequenceId>-<+codebase.branch>');

    it('splits it into segments with offsets', () => {
      expect(segments.map((segment) => [segment.kind, segment.start, segment.end])).toEqual([
        ['text', 0, 4],
        ['expression', 4, 26],
        ['text', 26, 27],
        ['expression', 27, 45],
      ]);
    });

    it('keeps each expression source', () => {
      expect(segments[1]).toMatchObject({ source: '<+pipeline.sequenceId>' });
    });

    it('parses a reference into member nodes with positions', () => {
      expect(segments[1]).toMatchObject({
        expression: {
          kind: 'member',
          property: 'sequenceId',
          start: 6,
          end: 25,
          object: { kind: 'identifier', name: 'pipeline', start: 6, end: 14 },
        },
      });
    });
  });

  describe('when an expression calls methods', () => {
    it('parses the call chain and arguments', () => {
      const [segment] = parseTemplate('<+codebase.branch.replace("/", "-")>');
      expect(segment?.kind === 'expression' && printExpression(segment.expression)).toBe('codebase.branch.replace("/", "-")');
    });
  });

  describe('when expressions nest', () => {
    it('parses the inner expression as a nested node', () => {
      const [segment] = parseTemplate('<+<+pipeline.variables.v>.toLowerCase()>');
      expect(segment?.kind === 'expression' && segment.expression).toMatchObject({
        kind: 'call',
        method: 'toLowerCase',
        object: { kind: 'nested', start: 2, end: 25 },
      });
    });
  });

  describe('when a string holds ">" or "<+"', () => {
    it('keeps them inside the string', () => {
      const [segment] = parseTemplate('<+pipeline.name.replace(">", "<+")>');
      expect(segment?.kind === 'expression' && printExpression(segment.expression)).toBe('pipeline.name.replace(">", "<+")');
    });
  });

  describe('when an operator precedes a ternary', () => {
    it('binds && tighter than || and both tighter than ?:', () => {
      const [segment] = parseTemplate('<+a == "x" || b && !c ? "y" : "z">');
      expect(segment?.kind === 'expression' && printExpression(segment.expression)).toBe('((a == "x") || (b && (!c))) ? "y" : "z"');
    });
  });

  describe.each([
    ['echo <+pipeline.', 'expected a name after ".", found the end of the value', 16],
    ['<+>', 'empty expression "<+>"', 0],
    ['<+a +>', 'expected a value, found ">"', 5],
    ['<+a.b(1,>', 'expected a value, found ">"', 8],
    ['<+"abc>', 'unterminated string: expected a closing "', 2],
    ['<+a # b>', 'unexpected character "#"', 4],
    ['<+a b>', 'expected ">" to close the expression opened by "<+", found "b"', 4],
    ['<+"\\q">', 'invalid escape "\\q" in string', 3],
  ])('when given %j', (text, message, offset) => {
    it('throws a positioned syntax error', () => {
      let caught: unknown;
      try {
        parseTemplate(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ExpressionSyntaxError);
      expect((caught as ExpressionSyntaxError).message).toBe(message);
      expect((caught as ExpressionSyntaxError).offset).toBe(offset);
    });
  });

  describe('when nesting is very deep', () => {
    it('throws a syntax error instead of overflowing the stack', () => {
      expect(() => parseTemplate(`<+${'('.repeat(5000)}a${')'.repeat(5000)}>`)).toThrow(ExpressionSyntaxError);
      expect(() => parseTemplate(`<+${'!'.repeat(5000)}a>`)).toThrow(ExpressionSyntaxError);
      expect(() => parseTemplate(`${'<+'.repeat(5000)}a${'>'.repeat(5000)}`)).toThrow(ExpressionSyntaxError);
    });
  });
});

describe('parseCondition', () => {
  it('parses comparisons outside <+ >', () => {
    expect(printExpression(parseCondition('<+pipeline.sequenceId> >= 2 && <+codebase.branch> != "dev"'))).toBe(
      '(<+pipeline.sequenceId> >= 2) && (<+codebase.branch> != "dev")',
    );
  });

  it('rejects text after the condition', () => {
    expect(() => parseCondition('a == b c')).toThrow(new ExpressionSyntaxError('unexpected "c" after the end of the condition', 7));
  });

  it('rejects an empty condition', () => {
    expect(() => parseCondition('  ')).toThrow('empty condition');
  });
});

describe('parseRuntimeInput', () => {
  it('parses a bare input', () => {
    expect(parseRuntimeInput('<+input>')).toEqual({ executionInput: false });
  });

  it('parses default and allowed values, quoted or not', () => {
    expect(parseRuntimeInput('<+input>.default(main).allowedValues(main, "dev,x", \'rel\')')).toEqual({
      default: 'main',
      allowedValues: ['main', 'dev,x', 'rel'],
      executionInput: false,
    });
  });

  it('parses a regex with parentheses', () => {
    expect(parseRuntimeInput('<+input>.regex(^(v|r)[0-9]+$)')).toEqual({ regex: '^(v|r)[0-9]+$', executionInput: false });
  });

  it('parses selectOneFrom and executionInput', () => {
    expect(parseRuntimeInput('<+input>.selectOneFrom(a,b).executionInput()')).toEqual({ allowedValues: ['a', 'b'], executionInput: true });
  });

  it('rejects a wrong argument count', () => {
    expect(() => parseRuntimeInput('<+input>.default(a,b)')).toThrow('.default() takes 1 argument(s), got 2');
  });

  it('rejects text after the input', () => {
    expect(() => parseRuntimeInput('<+input> and more')).toThrow(ExpressionSyntaxError);
  });
});

describe('expression parsers', () => {
  const alphabet = fc.constantFrom(
    ...'<+>.()[]{},"\'\\!=&|?:-*/% abcxyz019_$\n\t'.split(''),
    '<+',
    '<+input>',
    'pipeline',
    '.default(',
    '==',
    '&&',
  );
  const expressionLike = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(''));

  it('throw nothing but positioned syntax errors', () => {
    const parsers = [parseTemplate, parseCondition, parseRuntimeInput];
    fc.assert(
      fc.property(fc.oneof(expressionLike, fc.string({ maxLength: 60 })), (text) => {
        for (const parse of parsers) {
          try {
            parse(text);
          } catch (error) {
            if (!(error instanceof ExpressionSyntaxError)) return false;
            if (!Number.isInteger(error.offset) || error.offset < 0 || error.offset > text.length) return false;
          }
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('print expressions that parse back to the same text', () => {
    fc.assert(
      fc.property(expressionLike, (text) => {
        let segments;
        try {
          segments = parseTemplate(text);
        } catch {
          return true;
        }
        for (const segment of segments) {
          if (segment.kind !== 'expression') continue;
          const printed = printExpression(segment.expression);
          const [reparsed] = parseTemplate(`<+${printed}>`);
          if (reparsed?.kind !== 'expression' || printExpression(reparsed.expression) !== printed) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
