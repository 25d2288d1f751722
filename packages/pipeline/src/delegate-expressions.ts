import { KilnError } from '@kiln/protocol';
import { ExpressionSyntaxError, type Expr } from './expressions/ast.js';
import type { ReferenceResolver, Resolution } from './expressions/evaluate.js';
import { EvaluationError, type Value } from './expressions/methods.js';
import type { MatchedReference } from './expressions/references.js';
import { evaluateConditionText, resolveTextFully } from './expressions/resolve-text.js';

/** The values a delegate has when it runs a stage. */
export interface DelegateExpressionContext {
  /** Returns a secret's value by its reference as written (e.g. `account.registry_password`), or undefined. */
  secret(ref: string): string | undefined;
  codebase?: { commitSha?: string; branch?: string; tag?: string };
  /** Output variables by step id; a step in a group is keyed `<groupId>/<stepId>`. */
  stepOutputs: Record<string, Record<string, string>>;
}

function stepOutputsOf(outputs: DelegateExpressionContext['stepOutputs'], path: string[]): Record<string, string> | undefined {
  if (path[2] === 'steps') return outputs[`${path[1]}/${path[3]}`];
  const stepId = path[1] ?? '';
  const direct = outputs[stepId];
  if (direct !== undefined) return direct;
  // A step inside a group may refer to a sibling by its bare id.
  const grouped = Object.keys(outputs).filter((key) => key.endsWith(`/${stepId}`));
  return grouped.length === 1 && grouped[0] !== undefined ? outputs[grouped[0]] : undefined;
}

class DelegateResolver implements ReferenceResolver {
  constructor(private readonly context: DelegateExpressionContext) {}

  resolve(reference: MatchedReference, argument: Value | undefined, node: Expr): Resolution {
    const path = reference.path;
    if (path[0] === 'secrets') {
      const ref = typeof argument === 'string' ? argument : String(argument);
      const value = this.context.secret(ref);
      if (value === undefined) {
        throw new KilnError('SECRET_NOT_FOUND', `secret "${ref}" not found: add it under "secrets:" in the delegate config file`, {
          details: { secretRef: ref },
        });
      }
      return value;
    }
    if (path[0] === 'codebase') return this.codebaseValue(path[1] ?? '');
    if (path[0] === 'steps') {
      // Harness resolves an output that does not exist (yet) to null.
      return stepOutputsOf(this.context.stepOutputs, path)?.[path[path.length - 1] ?? ''] ?? null;
    }
    throw new EvaluationError(`"${path.join('.')}" was not resolved by the manager before the stage was sent`, node.start, node.end);
  }

  private codebaseValue(field: string): Value {
    const codebase = this.context.codebase;
    if (field === 'commitSha') return codebase?.commitSha ?? null;
    if (field === 'shortCommitSha') return codebase?.commitSha?.slice(0, 7) ?? null;
    if (field === 'branch') return codebase?.branch ?? null;
    if (field === 'tag') return codebase?.tag ?? null;
    return null;
  }
}

function toKilnError(text: string, error: unknown): unknown {
  if (error instanceof EvaluationError || error instanceof ExpressionSyntaxError) {
    return new KilnError('INVALID_PIPELINE', `cannot resolve ${JSON.stringify(text)}: ${error.message}`, { cause: error });
  }
  return error;
}

function neverDeferred(source: string): never {
  throw new KilnError('INTERNAL', `expression ${source} could not be resolved on the delegate`);
}

/**
 * Resolves the delegate-side expressions left in a value: secrets, the commit
 * SHA and step outputs. Throws KilnError SECRET_NOT_FOUND naming a missing
 * secret, or INVALID_PIPELINE for an expression that cannot be evaluated.
 */
export function resolveDelegateExpressions(text: string, context: DelegateExpressionContext): string {
  if (!text.includes('<+')) return text;
  try {
    return resolveTextFully(text, new DelegateResolver(context), neverDeferred);
  } catch (error) {
    throw toKilnError(text, error);
  }
}

/** Evaluates a `when.condition` on the delegate, after the manager resolved its manager-side parts. */
export function evaluateCondition(condition: string, context: DelegateExpressionContext): boolean {
  try {
    return evaluateConditionText(condition, new DelegateResolver(context), neverDeferred);
  } catch (error) {
    throw toKilnError(condition, error);
  }
}

/**
 * Applies resolveDelegateExpressions to every string in a value (objects and
 * arrays copied). A `when` object is kept as written: evaluate its condition
 * with evaluateCondition, because substituting values into a condition's text
 * would change its meaning.
 */
export function resolveDelegateDeep<T>(value: T, context: DelegateExpressionContext): T {
  if (typeof value === 'string') return resolveDelegateExpressions(value, context) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => resolveDelegateDeep(item, context)) as T;
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = key === 'when' ? item : resolveDelegateDeep(item, context);
    return result as T;
  }
  return value;
}
