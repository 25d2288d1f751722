import type { Expr } from './ast.js';
import { DEFERRED, evaluate, isTruthy, resolveChainStart, type ReferenceResolver } from './evaluate.js';
import { flattenChain, type Link } from './references.js';

function literal(value: string | number | boolean | null, node: Expr): Expr {
  return { kind: 'literal', value, start: node.start, end: node.end };
}

function rebuildLinks(prefix: Expr, links: Link[], resolver: ReferenceResolver): Expr {
  let expr = prefix;
  for (const link of links) {
    const { start, end } = link.node;
    if (link.kind === 'member') expr = { kind: 'member', object: expr, property: link.name, start, end };
    else if (link.kind === 'index') expr = { kind: 'index', object: expr, index: partiallyEvaluate(link.index, resolver), start, end };
    else expr = { kind: 'call', object: expr, method: link.method, methodStart: link.methodStart, args: link.args.map((arg) => partiallyEvaluate(arg, resolver)), start, end };
  }
  return expr;
}

function partialChain(expr: Expr, resolver: ReferenceResolver): Expr {
  const chain = flattenChain(expr);
  const start = resolveChainStart(expr, resolver);
  const resolution = start.resolution;
  let prefix: Expr;
  if (start.reference === undefined) {
    prefix = partiallyEvaluate(chain.base, resolver);
  } else if (typeof resolution === 'object' && resolution !== null && !Array.isArray(resolution)) {
    prefix = partiallyEvaluate(resolution.expression, resolver);
  } else if (resolution !== DEFERRED && !Array.isArray(resolution)) {
    prefix = literal(resolution, expr);
  } else {
    prefix = rebuildLinks(chain.base, chain.links.slice(0, start.consumed), resolver);
  }
  return rebuildLinks(prefix, chain.links.slice(start.consumed), resolver);
}

/**
 * Replaces every part of an expression that can be evaluated now by its value,
 * and every reference the resolver substitutes by the substitute, leaving the
 * deferred parts as they were. Throws EvaluationError like `evaluate`.
 */
export function partiallyEvaluate(expr: Expr, resolver: ReferenceResolver): Expr {
  const outcome = evaluate(expr, resolver);
  if (outcome !== DEFERRED && !Array.isArray(outcome)) return literal(outcome, expr);
  switch (expr.kind) {
    case 'literal':
    case 'identifier':
    case 'member':
    case 'index':
    case 'call':
      return partialChain(expr, resolver);
    case 'nested': {
      const inner = partiallyEvaluate(expr.expression, resolver);
      return inner.kind === 'literal' ? inner : { ...expr, expression: inner };
    }
    case 'unary':
      return { ...expr, operand: partiallyEvaluate(expr.operand, resolver) };
    case 'binary':
      return { ...expr, left: partiallyEvaluate(expr.left, resolver), right: partiallyEvaluate(expr.right, resolver) };
    case 'conditional': {
      const test = evaluate(expr.test, resolver);
      if (test !== DEFERRED) return partiallyEvaluate(isTruthy(test) ? expr.consequent : expr.alternate, resolver);
      return {
        ...expr,
        test: partiallyEvaluate(expr.test, resolver),
        consequent: partiallyEvaluate(expr.consequent, resolver),
        alternate: partiallyEvaluate(expr.alternate, resolver),
      };
    }
  }
}
