import { evaluateCondition, resolveDelegateDeep, resolveDelegateExpressions, type DelegateExpressionContext } from '@kiln/pipeline';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SecretMasker } from '../secrets/secret-masker.js';

/** Values that delegate-side expressions read; the executor fills them as the stage runs. */
export interface ExpressionState {
  codebase: { commitSha?: string; branch?: string; tag?: string };
  /** Step id -> output variables. */
  stepOutputs: Record<string, Record<string, string>>;
}

/**
 * Resolves delegate-side expressions (`<+secrets.getValue(...)>`,
 * `<+codebase.commitSha>`, step outputs) with @kiln/pipeline. Every secret it
 * reads is added to the task's masker before the value is used.
 */
export class ExpressionResolver {
  constructor(
    private readonly secrets: SecretStore,
    private readonly masker: SecretMasker,
    private readonly state: ExpressionState,
  ) {}

  private context(usedBy: string): DelegateExpressionContext {
    return {
      secret: (ref: string) => {
        const value = this.secrets.require(ref, usedBy);
        this.masker.add(value);
        return value;
      },
      codebase: this.state.codebase,
      stepOutputs: this.state.stepOutputs,
    };
  }

  /** @throws KilnError SECRET_NOT_FOUND or INVALID_ARGUMENT from the expression engine. */
  text(text: string, usedBy: string): string {
    return resolveDelegateExpressions(text, this.context(usedBy));
  }

  /** Evaluates a `when.condition` that the manager left with delegate-side parts (or as `true`/`false`). @throws as {@link text}. */
  condition(condition: string, usedBy: string): boolean {
    return evaluateCondition(condition, this.context(usedBy));
  }

  /** Resolves every string inside `value`. @throws as {@link text}. */
  deep<T>(value: T, usedBy: string): T {
    return resolveDelegateDeep(value, this.context(usedBy));
  }
}
