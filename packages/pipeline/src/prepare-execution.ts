import { KilnError } from '@kiln/protocol';
import { parseDuration } from './duration.js';
import { ExpressionSyntaxError } from './expressions/ast.js';
import { EvaluationError } from './expressions/methods.js';
import { printExpression } from './expressions/print.js';
import { resolveConditionPartially, resolveTextPartially } from './expressions/resolve-text.js';
import { ManagerResolver, secretExpression, type ManagerContext } from './manager-resolver.js';
import type { BuildType, Codebase, CodebaseBuild, Pipeline, Problem, Stage } from './model.js';
import { listStages, mapPipelineStrings, mapStageStrings } from './model-walk.js';
import { applyRuntimeInputs } from './runtime-inputs.js';
import { isRuntimeInput } from './expressions/runtime-input.js';

export interface ExecutionRequest {
  executionId: string;
  sequenceId: number;
  /** From --branch, --tag, --pr or --commit. */
  build?: { type: BuildType; value: string };
  /** From --set NAME=VALUE: pipeline variable names or YAML paths. */
  inputs: Record<string, string>;
}

export interface PreparedStage {
  /** Position in run order, from 0; stages of a parallel group count in order. */
  index: number;
  /** Manager-side expressions resolved, delegate-side ones left as `<+...>` text. */
  stage: Stage;
  /** The stage timeout in milliseconds, 0 for none. */
  timeoutMs: number;
}

export interface PreparedExecution {
  /** The pipeline with runtime inputs applied. */
  pipeline: Pipeline;
  /** The codebase build to clone; undefined when the pipeline has no codebase or no stage clones it. */
  build?: { type: BuildType; value: string };
  /** Pipeline variables by name; Secret ones as `<+secrets.getValue("...")>` text. */
  variables: Record<string, string>;
  stages: PreparedStage[];
}

/** Raised by prepareExecution; `details.problems` lists every missing or invalid input at once. */
export class PipelineInputError extends KilnError {
  constructor(pipeline: Pipeline, problems: Problem[]) {
    const code = problems.some((problem) => problem.code === 'MISSING_INPUT') ? 'MISSING_INPUT' : 'INVALID_ARGUMENT';
    const summary = problems.map((problem) => problem.message).join('; ');
    super(code, `pipeline "${pipeline.identifier}" cannot start: ${summary}`, { details: { problems, pipeline: pipeline.identifier } });
    this.name = 'PipelineInputError';
  }
}

const BUILD_FIELDS: Record<BuildType, keyof CodebaseBuild['spec']> = { branch: 'branch', tag: 'tag', PR: 'number', commitSha: 'commitSha' };
const BUILD_FLAGS: Record<BuildType, string> = { branch: '--branch', tag: '--tag', PR: '--pr', commitSha: '--commit' };

function problem(pipeline: Pipeline, code: Problem['code'], message: string, path: string): Problem {
  return { code, message, file: pipeline.identifier, line: 0, column: 0, path };
}

/** Settles the codebase build from the request; fills a `<+input>` build, rejects a conflicting one. */
function applyBuild(pipeline: Pipeline, request: ExecutionRequest, problems: Problem[]): Codebase | undefined {
  const codebase = pipeline.codebase;
  if (codebase === undefined) return undefined;
  const path = 'pipeline.properties.ci.codebase.build';
  const given = request.build;
  if (typeof codebase.build === 'string') {
    if (given !== undefined) return { ...codebase, build: { type: given.type, spec: { [BUILD_FIELDS[given.type]]: given.value } } };
    const clones = listStages(pipeline.stages).some((located) => located.stage.spec.cloneCodebase);
    if (clones) problems.push(problem(pipeline, 'MISSING_INPUT', 'missing codebase build: pass --branch, --tag, --pr or --commit', path));
    return codebase;
  }
  if (given === undefined) return codebase;
  const field = BUILD_FIELDS[codebase.build.type];
  const fixed = codebase.build.spec[field];
  if (fixed !== undefined && isRuntimeInput(fixed) && given.type === codebase.build.type) {
    return { ...codebase, build: { type: given.type, spec: { [field]: given.value } } };
  }
  if (given.type !== codebase.build.type || fixed !== given.value) {
    problems.push(
      problem(pipeline, 'INVALID_VALUE', `the pipeline fixes the codebase build to ${codebase.build.type} "${fixed ?? ''}"; remove ${BUILD_FLAGS[given.type]}`, path),
    );
  }
  return codebase;
}

/** Resolves each string with the resolver, recording expression errors as problems. */
function resolveStrings(pipeline: Pipeline, context: ManagerContext, problems: Problem[]) {
  const resolver = new ManagerResolver(context);
  return (value: string, path: string): string | undefined => {
    if (!value.includes('<+')) return undefined;
    try {
      if (path.endsWith('.when.condition')) return resolveConditionPartially(value, resolver);
      return resolveTextPartially(value, resolver);
    } catch (error) {
      if (!(error instanceof EvaluationError || error instanceof ExpressionSyntaxError)) throw error;
      problems.push(problem(pipeline, 'INVALID_EXPRESSION', `cannot resolve ${JSON.stringify(value)}: ${error.message}`, path));
      return undefined;
    }
  };
}

function secretVariablesAsExpressions(stage: Stage): Stage {
  const variables = stage.variables.map((variable) =>
    variable.type === 'Secret' ? { ...variable, value: `<+${printExpression(secretExpression(variable.value))}>` } : variable,
  );
  return { ...stage, variables };
}

function buildOf(codebase: Codebase | undefined, pipeline: Pipeline): { type: BuildType; value: string } | undefined {
  if (codebase === undefined || typeof codebase.build === 'string') return undefined;
  const value = codebase.build.spec[BUILD_FIELDS[codebase.build.type]];
  if (value === undefined || !listStages(pipeline.stages).some((located) => located.stage.spec.cloneCodebase)) return undefined;
  return { type: codebase.build.type, value };
}

function pipelineVariables(pipeline: Pipeline, context: ManagerContext, problems: Problem[]): Record<string, string> {
  const resolve = resolveStrings(pipeline, context, problems);
  const variables: Record<string, string> = {};
  pipeline.variables.forEach((variable, index) => {
    variables[variable.name] =
      variable.type === 'Secret'
        ? `<+${printExpression(secretExpression(variable.value))}>`
        : (resolve(variable.value, `pipeline.variables[${index}].value`) ?? variable.value);
  });
  return variables;
}

/**
 * Prepares a run: applies runtime inputs and the codebase build from the
 * request, then resolves manager-side expressions in each stage (sequence id,
 * execution id, pipeline and stage ids, names and variables, codebase branch,
 * tag, build type, repo name and PR number). Delegate-side expressions
 * (secrets, commit SHA, step outputs) stay as text for the delegate.
 * Throws PipelineInputError listing every missing or invalid input.
 */
export function prepareExecution(pipeline: Pipeline, request: ExecutionRequest): PreparedExecution {
  const problems: Problem[] = [];
  const inputs = applyRuntimeInputs(pipeline, request.inputs);
  problems.push(...inputs.problems);
  const codebase = applyBuild(inputs.pipeline, request, problems);
  const applied: Pipeline = codebase === undefined ? inputs.pipeline : { ...inputs.pipeline, codebase };
  if (problems.length > 0) throw new PipelineInputError(pipeline, problems);

  const base: ManagerContext = { pipeline: applied, executionId: request.executionId, sequenceId: request.sequenceId };
  // The codebase resolves first and without a build, so its own fields cannot depend on codebase.* values.
  const resolvedCodebase = mapPipelineStrings({ ...applied, stages: [] }, resolveStrings(applied, base, problems)).codebase;
  const build = buildOf(resolvedCodebase, applied);
  const context: ManagerContext = build === undefined ? base : { ...base, build };
  const variables = pipelineVariables(applied, context, problems);
  const stages = listStages(applied.stages).map((located): PreparedStage => {
    const stageContext: ManagerContext = { ...context, stage: located.stage };
    const resolved = mapStageStrings(located.stage, located.path, resolveStrings(applied, stageContext, problems));
    const timeout = located.stage.timeout === undefined ? undefined : parseDuration(located.stage.timeout);
    return { index: located.index, stage: secretVariablesAsExpressions(resolved), timeoutMs: timeout ?? 0 };
  });
  if (problems.length > 0) throw new PipelineInputError(pipeline, problems);
  const prepared: PreparedExecution = { pipeline: resolvedCodebase === undefined ? applied : { ...applied, codebase: resolvedCodebase }, variables, stages };
  if (build !== undefined) prepared.build = build;
  return prepared;
}
