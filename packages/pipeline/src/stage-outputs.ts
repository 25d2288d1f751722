import { KilnError } from '@kiln/protocol';
import { ExpressionSyntaxError, type Expr } from './expressions/ast.js';
import { DEFERRED, type ReferenceResolver, type Resolution } from './expressions/evaluate.js';
import { EvaluationError, type Value } from './expressions/methods.js';
import type { MatchedReference } from './expressions/references.js';
import { resolveConditionPartially, resolveTextPartially } from './expressions/resolve-text.js';
import type { Stage } from './model.js';
import { mapStageStrings } from './model-walk.js';

/** Output variables of the stages that ran: stage id -> step id (`<groupId>/<stepId>` in a step group) -> name -> value. */
export type StageOutputs = Record<string, Record<string, Record<string, string>>>;

class StageOutputResolver implements ReferenceResolver {
  constructor(private readonly outputs: StageOutputs) {}

  resolve(reference: MatchedReference, _argument: Value | undefined, _node: Expr): Resolution {
    if (reference.side !== 'stage-start') return DEFERRED;
    const path = reference.path;
    const steps = this.outputs[path[2] ?? ''];
    // pipeline.stages.S.spec.execution.steps.ID.output... or ...steps.GROUP.steps.ID.output...
    const stepId = path[7] === 'steps' ? `${path[6] ?? ''}/${path[8] ?? ''}` : (path[6] ?? '');
    // Harness resolves an output that does not exist (a skipped stage or step) to null.
    return steps?.[stepId]?.[path[path.length - 1] ?? ''] ?? null;
  }
}

/**
 * Resolves `<+pipeline.stages.S.spec.execution.steps.ID.output.outputVariables.V>`
 * in a prepared stage from the outputs of the stages that already ran; the
 * manager calls it when it queues the stage. Other expressions stay as they
 * are. A `when.condition` becomes `true` or `false` when nothing else is left in it.
 * @throws KilnError INVALID_PIPELINE when an expression cannot be evaluated.
 */
export function resolveStageOutputs(stage: Stage, outputs: StageOutputs): Stage {
  const resolver = new StageOutputResolver(outputs);
  return mapStageStrings(stage, 'stage', (value, path) => {
    if (!value.includes('pipeline.stages.')) return undefined;
    try {
      return path.endsWith('.when.condition') ? resolveConditionPartially(value, resolver) : resolveTextPartially(value, resolver);
    } catch (error) {
      if (!(error instanceof EvaluationError || error instanceof ExpressionSyntaxError)) throw error;
      throw new KilnError('INVALID_PIPELINE', `stage ${stage.identifier}: cannot resolve ${JSON.stringify(value)} at ${path}: ${error.message}`, { cause: error });
    }
  });
}
