/**
 * The syntax tree of a Harness expression. `start` and `end` are offsets into
 * the text that was parsed, `end` exclusive.
 */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; start: number; end: number }
  | { kind: 'identifier'; name: string; start: number; end: number }
  | { kind: 'member'; object: Expr; property: string; start: number; end: number }
  | { kind: 'index'; object: Expr; index: Expr; start: number; end: number }
  | { kind: 'call'; object: Expr; method: string; methodStart: number; args: Expr[]; start: number; end: number }
  | { kind: 'unary'; operator: UnaryOperator; operand: Expr; start: number; end: number }
  | { kind: 'binary'; operator: BinaryOperator; left: Expr; right: Expr; start: number; end: number }
  | { kind: 'conditional'; test: Expr; consequent: Expr; alternate: Expr; start: number; end: number }
  | { kind: 'nested'; expression: Expr; start: number; end: number };

export type UnaryOperator = '!' | '-';

export type BinaryOperator =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

/** A piece of a field value: literal text or one `<+ ... >` expression. */
export type TemplateSegment =
  | { kind: 'text'; text: string; start: number; end: number }
  | { kind: 'expression'; expression: Expr; source: string; start: number; end: number };

/** A syntax error at `offset` of the parsed text; the only error the parsers throw. */
export class ExpressionSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ExpressionSyntaxError';
    this.offset = offset;
  }
}
