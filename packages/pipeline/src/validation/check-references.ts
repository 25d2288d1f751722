import type { Expr } from '../expressions/ast.js';
import { METHOD_NAMES } from '../expressions/methods.js';
import { KNOWN_REFERENCE_NAMES, leadingNames, matchReference, type Chain, type MatchedReference } from '../expressions/references.js';
import { visitReferences } from '../expressions/visit.js';
import { didYouMean } from '../suggest.js';
import type { ValidationContext, ExpressionUse } from './context.js';
import { referenceScopeAt, type ReferenceScope, type StepInfo } from './scope-info.js';

function declaredList(kind: string, names: readonly string[]): string {
  return names.length === 0 ? `no ${kind} is declared` : `declared: ${names.join(', ')}`;
}

/** Returns why a matched reference is not available in this scope, or undefined when it is. */
function scopeError(reference: MatchedReference, scope: ReferenceScope): string | undefined {
  const [root, second, third] = reference.path;
  if (root === 'pipeline' && second === 'variables' && third !== undefined && !scope.pipelineVariables.includes(third)) {
    return `pipeline variable "${third}" is not declared${didYouMean(third, scope.pipelineVariables)}; ${declaredList('pipeline variable', scope.pipelineVariables)}`;
  }
  if (root === 'codebase' && !scope.hasCodebase) {
    return 'the pipeline has no codebase (properties.ci.codebase)';
  }
  if (root === 'pipeline' && second === 'stages') return stageOutputError(reference.path, scope);
  if (root !== 'stage' && root !== 'steps') return undefined;
  const stage = scope.stage;
  if (stage === undefined) return `"${root}." references can be used only inside a stage`;
  if (root === 'stage' && second === 'variables' && third !== undefined && !stage.variables.includes(third)) {
    return `stage variable "${third}" is not declared in this stage${didYouMean(third, stage.variables)}; ${declaredList('stage variable', stage.variables)}`;
  }
  if (root === 'steps') return stepError(reference.path, stage.steps);
  return undefined;
}

/** Checks `pipeline.stages.S.spec.execution.steps...`: S is another stage that runs earlier, and the step exists in it. */
function stageOutputError(path: string[], scope: ReferenceScope): string | undefined {
  const stageId = path[2] ?? '';
  const known = [...scope.stages.keys()];
  const steps = scope.stages.get(stageId);
  if (steps === undefined) return `stage "${stageId}" is not in the pipeline${didYouMean(stageId, known)}; stages: ${known.join(', ')}`;
  if (stageId === scope.stageId) return `stage "${stageId}" is the stage this expression is in: use <+steps.ID.output.outputVariables.NAME>`;
  if (scope.stageId !== undefined && known.indexOf(stageId) > known.indexOf(scope.stageId)) {
    return `stage "${stageId}" runs after stage "${scope.stageId}", so its outputs do not exist yet`;
  }
  return stepError(path.slice(5), steps, `stage "${stageId}"`);
}

function stepError(path: string[], steps: Map<string, StepInfo>, where = 'this stage'): string | undefined {
  const known = [...steps.keys()];
  const stepId = path[1] ?? '';
  let info = steps.get(stepId);
  if (info === undefined) return `step "${stepId}" is not in ${where}${didYouMean(stepId, known)}; steps: ${known.join(', ')}`;
  let outputName = path[4];
  if (path[2] === 'steps') {
    const childId = path[3] ?? '';
    const children = info.children;
    info = children?.get(childId);
    if (info === undefined) return `step group "${stepId}" has no step "${childId}"`;
    outputName = path[6];
  }
  if (info.outputs !== undefined && outputName !== undefined && !info.outputs.includes(outputName)) {
    return `step "${stepId}" does not declare output variable "${outputName}"${didYouMean(outputName, info.outputs)}; ${declaredList('output variable', info.outputs)}`;
  }
  return undefined;
}

function checkChain(ctx: ValidationContext, use: ExpressionUse, expr: Expr, chain: Chain, scope: ReferenceScope): void {
  const names = leadingNames(chain);
  const name = names.join('.');
  const position = ctx.positionInScalar(use.node, expr.start);
  const where = `in "${use.value.length > 60 ? `${use.value.slice(0, 60)}...` : use.value}"`;
  if (names[0] === 'input') {
    ctx.report('UNKNOWN_REFERENCE', `<+input> must be the whole value of a field, optionally followed by .default(...) or .allowedValues(...) ${where}`, use.path, position);
    return;
  }
  const reference = matchReference(chain);
  if (reference === undefined) {
    ctx.report(
      'UNKNOWN_REFERENCE',
      `unknown reference "${name}" ${where}${didYouMean(name, KNOWN_REFERENCE_NAMES)}; known references: ${KNOWN_REFERENCE_NAMES.join(', ')}`,
      use.path,
      position,
    );
    return;
  }
  const error = scopeError(reference, scope);
  if (error !== undefined) ctx.report('UNKNOWN_REFERENCE', `unknown reference "${reference.path.join('.')}" ${where}: ${error}`, use.path, position);
  for (const link of chain.links.slice(reference.consumed)) {
    if (link.kind === 'call' && !METHOD_NAMES.includes(link.method)) {
      ctx.report(
        'INVALID_EXPRESSION',
        `unknown method "${link.method}" ${where}${didYouMean(link.method, METHOD_NAMES)}; known methods: ${METHOD_NAMES.join(', ')}`,
        use.path,
        ctx.positionInScalar(use.node, link.methodStart),
      );
    } else if (link.kind === 'member') {
      ctx.report('UNKNOWN_REFERENCE', `unknown reference "${name}" ${where}: "${reference.path.join('.')}" has no property "${link.name}"`, use.path, position);
      break;
    }
  }
}

/** Checks that every reference in a pipeline's expressions exists where it is used. */
export function checkReferences(ctx: ValidationContext, pipeline: Record<string, unknown>, uses: readonly ExpressionUse[]): void {
  for (const use of uses) {
    const scope = referenceScopeAt(pipeline, use.path);
    for (const expression of use.expressions) {
      visitReferences(expression, (expr, chain) => checkChain(ctx, use, expr, chain, scope));
    }
  }
}
