import { didYouMean } from '../suggest.js';
import type { Expr } from './ast.js';
import { ARRAY_METHODS, EvaluationError, METHOD_NAMES, STRING_METHODS, type Value } from './methods.js';
import { flattenChain, leadingNames, matchReference, type Link, type MatchedReference } from './references.js';

/** The outcome of a reference that cannot be resolved yet, e.g. a secret on the manager. */
export const DEFERRED: unique symbol = Symbol('deferred');
export type Outcome = Value | typeof DEFERRED;

/** A resolver's result: a value, DEFERRED, or an expression to use in the reference's place. */
export type Resolution = Outcome | { expression: Expr };

/** Resolves references. Throws EvaluationError for a reference it does not know. */
export interface ReferenceResolver {
  resolve(reference: MatchedReference, argument: Value | undefined, node: Expr): Resolution;
}

/** JEXL-like truthiness: null, false, 0, "" and the string "false" (any case) are false. */
export function isTruthy(value: Value): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  return value !== '' && value.toLowerCase() !== 'false';
}

function asNumber(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function stringify(value: Value): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Equality as JEXL compares: numerically when both sides are numbers or numeric strings, else as text. */
export function valuesEqual(left: Value, right: Value): boolean {
  if (left === null || right === null) return left === right;
  const leftNumber = asNumber(left);
  const rightNumber = asNumber(right);
  if (leftNumber !== undefined && rightNumber !== undefined) return leftNumber === rightNumber;
  return stringify(left) === stringify(right);
}

function compare(left: Value, right: Value): number {
  const leftNumber = asNumber(left);
  const rightNumber = asNumber(right);
  if (leftNumber !== undefined && rightNumber !== undefined) return leftNumber - rightNumber;
  return stringify(left).localeCompare(stringify(right));
}

function arithmetic(expr: Extract<Expr, { kind: 'binary' }>, left: Value, right: Value): Value {
  const leftNumber = asNumber(left);
  const rightNumber = asNumber(right);
  if (expr.operator === '+' && (typeof left === 'string' || typeof right === 'string' || leftNumber === undefined || rightNumber === undefined)) {
    return stringify(left) + stringify(right);
  }
  if (leftNumber === undefined || rightNumber === undefined) {
    throw new EvaluationError(`"${expr.operator}" needs two numbers, got ${JSON.stringify(left)} and ${JSON.stringify(right)}`, expr.start, expr.end);
  }
  switch (expr.operator) {
    case '+':
      return leftNumber + rightNumber;
    case '-':
      return leftNumber - rightNumber;
    case '*':
      return leftNumber * rightNumber;
    case '/':
      return leftNumber / rightNumber;
    default:
      return leftNumber % rightNumber;
  }
}

function evaluateBinary(expr: Extract<Expr, { kind: 'binary' }>, resolver: ReferenceResolver): Outcome {
  const left = evaluate(expr.left, resolver);
  if (expr.operator === '&&' || expr.operator === '||') {
    const decisive = expr.operator === '||';
    if (left !== DEFERRED && isTruthy(left) === decisive) return decisive;
    const right = evaluate(expr.right, resolver);
    if (right !== DEFERRED && isTruthy(right) === decisive) return decisive;
    return left === DEFERRED || right === DEFERRED ? DEFERRED : !decisive;
  }
  const right = evaluate(expr.right, resolver);
  if (left === DEFERRED || right === DEFERRED) return DEFERRED;
  switch (expr.operator) {
    case '==':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
    case '<':
      return compare(left, right) < 0;
    case '<=':
      return compare(left, right) <= 0;
    case '>':
      return compare(left, right) > 0;
    case '>=':
      return compare(left, right) >= 0;
    default:
      return arithmetic(expr, left, right);
  }
}

function callMethod(target: Value, link: Extract<Link, { kind: 'call' }>, args: Value[]): Value {
  const node = link.node;
  if (target === null) {
    throw new EvaluationError(`cannot call ${link.method}() on null: the value it applies to is not set`, node.start, node.end);
  }
  const spec = Array.isArray(target) ? ARRAY_METHODS[link.method] : STRING_METHODS[link.method];
  if (spec === undefined) {
    const known = Array.isArray(target) ? Object.keys(ARRAY_METHODS) : Object.keys(STRING_METHODS);
    throw new EvaluationError(
      `unknown method "${link.method}"${didYouMean(link.method, known)}; known methods: ${known.join(', ')}`,
      link.methodStart,
      node.end,
    );
  }
  if (args.length < spec.min || args.length > spec.max) {
    const expected = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
    throw new EvaluationError(`${link.method}() takes ${expected} argument(s), got ${args.length}`, node.start, node.end);
  }
  try {
    return Array.isArray(target)
      ? (spec as (typeof ARRAY_METHODS)[string]).apply(target, args)
      : (spec as (typeof STRING_METHODS)[string]).apply(String(target), args);
  } catch (error) {
    throw new EvaluationError(error instanceof Error ? error.message : String(error), node.start, node.end);
  }
}

function applyLink(target: Value, link: Link, resolver: ReferenceResolver): Outcome {
  if (link.kind === 'member') {
    throw new EvaluationError(`unknown property "${link.name}" of a ${target === null ? 'null' : typeof target} value`, link.node.start, link.node.end);
  }
  if (link.kind === 'index') {
    const index = evaluate(link.index, resolver);
    if (index === DEFERRED) return DEFERRED;
    const position = asNumber(index);
    let items: Value[] = [];
    if (Array.isArray(target)) items = target;
    else if (typeof target === 'string') items = [...target];
    const item = position === undefined ? undefined : items[position];
    if (item === undefined) throw new EvaluationError(`index ${JSON.stringify(index)} is out of range`, link.node.start, link.node.end);
    return item;
  }
  const args: Value[] = [];
  for (const arg of link.args) {
    const value = evaluate(arg, resolver);
    if (value === DEFERRED) return DEFERRED;
    args.push(value);
  }
  return callMethod(target, link, args);
}

/** Resolves the reference at the start of a chain; returns the resolution and how many links it used. */
export function resolveChainStart(
  expr: Expr,
  resolver: ReferenceResolver,
): { resolution: Resolution; consumed: number; links: Link[]; reference?: MatchedReference } {
  const chain = flattenChain(expr);
  if (chain.base.kind !== 'identifier') {
    return { resolution: evaluate(chain.base, resolver), consumed: 0, links: chain.links };
  }
  const reference = matchReference(chain);
  if (reference === undefined) {
    throw new EvaluationError(`unknown reference "${leadingNames(chain).join('.')}"`, expr.start, expr.end);
  }
  let argument: Outcome | undefined;
  if (reference.argument !== undefined) argument = evaluate(reference.argument, resolver);
  if (argument === DEFERRED) return { resolution: DEFERRED, consumed: reference.consumed, links: chain.links, reference };
  const resolution = resolver.resolve(reference, argument, expr);
  return { resolution, consumed: reference.consumed, links: chain.links, reference };
}

function evaluateChain(expr: Expr, resolver: ReferenceResolver): Outcome {
  const start = resolveChainStart(expr, resolver);
  let value: Outcome =
    typeof start.resolution === 'object' && start.resolution !== null && !Array.isArray(start.resolution)
      ? evaluate(start.resolution.expression, resolver)
      : start.resolution;
  for (const link of start.links.slice(start.consumed)) {
    if (value === DEFERRED) return DEFERRED;
    value = applyLink(value, link, resolver);
  }
  return value;
}

/** Evaluates an expression. Throws EvaluationError; returns DEFERRED when a reference is not resolvable yet. */
export function evaluate(expr: Expr, resolver: ReferenceResolver): Outcome {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'nested':
      return evaluate(expr.expression, resolver);
    case 'unary': {
      const operand = evaluate(expr.operand, resolver);
      if (operand === DEFERRED) return DEFERRED;
      if (expr.operator === '!') return !isTruthy(operand);
      const number = asNumber(operand);
      if (number === undefined) throw new EvaluationError(`"-" needs a number, got ${JSON.stringify(operand)}`, expr.start, expr.end);
      return -number;
    }
    case 'binary':
      return evaluateBinary(expr, resolver);
    case 'conditional': {
      const test = evaluate(expr.test, resolver);
      if (test === DEFERRED) return DEFERRED;
      return evaluate(isTruthy(test) ? expr.consequent : expr.alternate, resolver);
    }
    default:
      return evaluateChain(expr, resolver);
  }
}

export { METHOD_NAMES };
