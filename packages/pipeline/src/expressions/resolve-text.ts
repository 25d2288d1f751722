import type { Expr, TemplateSegment } from './ast.js';
import { DEFERRED, evaluate, isTruthy, type ReferenceResolver } from './evaluate.js';
import { stringifyValue } from './methods.js';
import { parseCondition, parseTemplate } from './parser.js';
import { partiallyEvaluate } from './partial.js';
import { printExpression } from './print.js';
import { isRuntimeInput } from './runtime-input.js';

/** Turns template segments into one expression that concatenates them, e.g. `"v-" + codebase.commitSha`. */
export function templateToExpression(segments: TemplateSegment[]): Expr {
  const parts: Expr[] = segments.map((segment) =>
    segment.kind === 'text' ? { kind: 'literal', value: segment.text, start: segment.start, end: segment.end } : segment.expression,
  );
  const first = parts[0];
  if (first === undefined) return { kind: 'literal', value: '', start: 0, end: 0 };
  let expr = first;
  for (const part of parts.slice(1)) expr = { kind: 'binary', operator: '+', left: expr, right: part, start: expr.start, end: part.end };
  return expr;
}

/**
 * Resolves what it can in a field value: each `<+ ... >` whose references the
 * resolver knows becomes its value, and the rest stays as (simplified)
 * expression text. A runtime input is returned unchanged.
 * Throws ExpressionSyntaxError or EvaluationError.
 */
export function resolveTextPartially(text: string, resolver: ReferenceResolver): string {
  if (isRuntimeInput(text)) return text;
  let result = '';
  for (const segment of parseTemplate(text)) {
    if (segment.kind === 'text') {
      result += segment.text;
      continue;
    }
    const partial = partiallyEvaluate(segment.expression, resolver);
    result += partial.kind === 'literal' ? stringifyValue(partial.value) : `<+${printExpression(partial)}>`;
  }
  return result;
}

/** Resolves what it can in a `when.condition`; returns `true`/`false` when nothing is left to resolve. */
export function resolveConditionPartially(text: string, resolver: ReferenceResolver): string {
  const partial = partiallyEvaluate(parseCondition(text), resolver);
  return partial.kind === 'literal' ? String(isTruthy(partial.value)) : printExpression(partial);
}

/** Evaluates every expression in a field value; a deferred reference is an error of the resolver's making. */
export function resolveTextFully(text: string, resolver: ReferenceResolver, onDeferred: (source: string) => never): string {
  let result = '';
  for (const segment of parseTemplate(text)) {
    if (segment.kind === 'text') {
      result += segment.text;
      continue;
    }
    const value = evaluate(segment.expression, resolver);
    if (value === DEFERRED) onDeferred(segment.source);
    else result += stringifyValue(value);
  }
  return result;
}

/** Evaluates a `when.condition` to a boolean. */
export function evaluateConditionText(text: string, resolver: ReferenceResolver, onDeferred: (source: string) => never): boolean {
  const value = evaluate(parseCondition(text), resolver);
  if (value === DEFERRED) return onDeferred(text);
  return isTruthy(value);
}
