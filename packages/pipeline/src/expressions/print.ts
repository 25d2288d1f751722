import type { Expr } from './ast.js';

function wrap(expr: Expr): string {
  const text = printExpression(expr);
  return expr.kind === 'binary' || expr.kind === 'conditional' || expr.kind === 'unary' ? `(${text})` : text;
}

function printLiteral(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Prints an expression back as text that parses to the same tree (operands are parenthesized). */
export function printExpression(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return printLiteral(expr.value);
    case 'identifier':
      return expr.name;
    case 'member':
      return `${wrap(expr.object)}.${expr.property}`;
    case 'index':
      return `${wrap(expr.object)}[${printExpression(expr.index)}]`;
    case 'call':
      return `${wrap(expr.object)}.${expr.method}(${expr.args.map(printExpression).join(', ')})`;
    case 'unary':
      return `${expr.operator}${wrap(expr.operand)}`;
    case 'binary':
      return `${wrap(expr.left)} ${expr.operator} ${wrap(expr.right)}`;
    case 'conditional':
      return `${wrap(expr.test)} ? ${wrap(expr.consequent)} : ${wrap(expr.alternate)}`;
    case 'nested':
      return `<+${printExpression(expr.expression)}>`;
  }
}
