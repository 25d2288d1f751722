import { ExpressionSyntaxError, type BinaryOperator, type Expr, type TemplateSegment } from './ast.js';
import { describeToken, readToken, type Token } from './lexer.js';

/** Deepest nesting of parentheses, `<+ ... >` and operators the parser accepts. */
const MAX_NESTING = 64;

const BINARY_LEVELS: readonly (readonly BinaryOperator[])[] = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Recursive-descent parser over one string; offsets in the tree are offsets into that string. */
class Parser {
  private position: number;
  private depth: number;
  private nesting = 0;

  constructor(
    private readonly text: string,
    start: number,
    depth: number,
  ) {
    this.position = start;
    this.depth = depth;
  }

  get offset(): number {
    return this.position;
  }

  peek(): Token {
    return readToken(this.text, this.position, this.depth);
  }

  next(): Token {
    const token = this.peek();
    this.position = token.end;
    return token;
  }

  isPunctuator(token: Token, ...texts: string[]): boolean {
    return token.kind === 'punctuator' && texts.includes(token.text);
  }

  expectPunctuator(text: string, context: string): Token {
    const token = this.next();
    if (!this.isPunctuator(token, text)) {
      throw new ExpressionSyntaxError(`expected "${text}" ${context}, found ${describeToken(token)}`, token.start);
    }
    return token;
  }

  parseExpression(): Expr {
    this.nesting += 1;
    if (this.nesting > MAX_NESTING) {
      throw new ExpressionSyntaxError(`expression nests deeper than ${MAX_NESTING} levels`, this.position);
    }
    const test = this.parseBinary(0);
    let result = test;
    if (this.isPunctuator(this.peek(), '?')) {
      this.next();
      const consequent = this.parseExpression();
      this.expectPunctuator(':', 'in a conditional "a ? b : c"');
      const alternate = this.parseExpression();
      result = { kind: 'conditional', test, consequent, alternate, start: test.start, end: alternate.end };
    }
    this.nesting -= 1;
    return result;
  }

  private parseBinary(level: number): Expr {
    const operators = BINARY_LEVELS[level];
    if (operators === undefined) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      if (!this.isPunctuator(token, ...operators)) return left;
      this.next();
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', operator: token.text as BinaryOperator, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (this.isPunctuator(token, '!', '-')) {
      this.next();
      this.nesting += 1;
      if (this.nesting > MAX_NESTING) {
        throw new ExpressionSyntaxError(`expression nests deeper than ${MAX_NESTING} levels`, token.start);
      }
      const operand = this.parseUnary();
      this.nesting -= 1;
      return { kind: 'unary', operator: token.text as '!' | '-', operand, start: token.start, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(base: Expr): Expr {
    let expr = base;
    for (;;) {
      const token = this.peek();
      if (this.isPunctuator(token, '.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'identifier') {
          throw new ExpressionSyntaxError(`expected a name after ".", found ${describeToken(name)}`, name.start);
        }
        expr = this.isPunctuator(this.peek(), '(')
          ? this.parseCall(expr, name)
          : { kind: 'member', object: expr, property: name.text, start: expr.start, end: name.end };
      } else if (this.isPunctuator(token, '[')) {
        this.next();
        const index = this.parseExpression();
        const close = this.expectPunctuator(']', 'after an index');
        expr = { kind: 'index', object: expr, index, start: expr.start, end: close.end };
      } else {
        return expr;
      }
    }
  }

  private parseCall(object: Expr, name: Token): Expr {
    const method = name.text;
    this.next();
    const args: Expr[] = [];
    if (!this.isPunctuator(this.peek(), ')')) {
      for (;;) {
        args.push(this.parseExpression());
        if (!this.isPunctuator(this.peek(), ',')) break;
        this.next();
      }
    }
    const close = this.expectPunctuator(')', `to close the arguments of ${method}(`);
    return { kind: 'call', object, method, methodStart: name.start, args, start: object.start, end: close.end };
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'literal', value: Number(token.text), start: token.start, end: token.end };
      case 'string':
        return { kind: 'literal', value: token.text, start: token.start, end: token.end };
      case 'identifier':
        return this.identifierOrKeyword(token);
      case 'open':
        return this.parseNested(token);
      default:
        if (this.isPunctuator(token, '(')) {
          const inner = this.parseExpression();
          this.expectPunctuator(')', 'to close "("');
          return inner;
        }
        throw new ExpressionSyntaxError(`expected a value, found ${describeToken(token)}`, token.start);
    }
  }

  private identifierOrKeyword(token: Token): Expr {
    const keywords: Record<string, boolean | null> = { true: true, false: false, null: null };
    if (token.text in keywords) {
      return { kind: 'literal', value: keywords[token.text] ?? null, start: token.start, end: token.end };
    }
    return { kind: 'identifier', name: token.text, start: token.start, end: token.end };
  }

  /** Parses the inside of `<+ ... >` after the opening token, through the closing `>`. */
  parseNested(open: Token): Expr {
    this.depth += 1;
    if (this.peek().kind === 'close') {
      throw new ExpressionSyntaxError('empty expression "<+>"', open.start);
    }
    const expression = this.parseExpression();
    const close = this.next();
    if (close.kind !== 'close') {
      const found = close.kind === 'end' ? 'the end of the value' : describeToken(close);
      throw new ExpressionSyntaxError(`expected ">" to close the expression opened by "<+", found ${found}`, close.start);
    }
    this.depth -= 1;
    return { kind: 'nested', expression, start: open.start, end: close.end };
  }
}

/**
 * Splits a field value into literal text and `<+ ... >` expressions.
 * Throws only ExpressionSyntaxError, whose offset points into `text`.
 */
export function parseTemplate(text: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('<+', position);
    if (open < 0) {
      segments.push({ kind: 'text', text: text.slice(position), start: position, end: text.length });
      break;
    }
    if (open > position) segments.push({ kind: 'text', text: text.slice(position, open), start: position, end: open });
    const parser = new Parser(text, open + 2, 0);
    const nested = parser.parseNested({ kind: 'open', text: '<+', start: open, end: open + 2 });
    const expression = nested.kind === 'nested' ? nested.expression : nested;
    segments.push({ kind: 'expression', expression, source: text.slice(open, nested.end), start: open, end: nested.end });
    position = nested.end;
  }
  return segments;
}

/**
 * Parses a `when.condition`: a JEXL expression in which `<+ ... >` references
 * may appear, e.g. `<+codebase.branch> == "main" && <+pipeline.variables.deploy> == "yes"`.
 */
export function parseCondition(text: string): Expr {
  const parser = new Parser(text, 0, 0);
  if (parser.peek().kind === 'end') throw new ExpressionSyntaxError('empty condition', 0);
  const expression = parser.parseExpression();
  const rest = parser.peek();
  if (rest.kind !== 'end') {
    throw new ExpressionSyntaxError(`unexpected ${describeToken(rest)} after the end of the condition`, rest.start);
  }
  return expression;
}

/** Returns true when `text` contains a `<+` expression opener. */
export function hasExpression(text: string): boolean {
  return text.includes('<+');
}
