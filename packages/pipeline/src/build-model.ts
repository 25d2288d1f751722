import type {
  Codebase,
  Connector,
  FailureStrategy,
  Pipeline,
  Stage,
  StageNode,
  Step,
  StepGroup,
  StepNode,
  Variable,
  When,
} from './model.js';

type Raw = Record<string, unknown>;

function record(value: unknown): Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Copies the defined entries of `source` whose keys are listed, leaving out undefined ones. */
function pick<T extends object>(source: Raw, keys: readonly string[]): Partial<T> {
  const result: Raw = {};
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result as Partial<T>;
}

function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) result[key] = String(item);
  return result;
}

function buildVariables(value: unknown): Variable[] {
  return list(value).map((item) => {
    const raw = record(item);
    const variable: Variable = { name: String(raw.name), type: raw.type as Variable['type'], value: String(raw.value ?? '') };
    if (typeof raw.description === 'string') variable.description = raw.description;
    if (typeof raw.required === 'boolean') variable.required = raw.required;
    return variable;
  });
}

function buildWhen(value: unknown): When | undefined {
  return value === undefined ? undefined : (pick<When>(record(value), ['pipelineStatus', 'stageStatus', 'condition']) as When);
}

function buildFailureStrategies(value: unknown): FailureStrategy[] | undefined {
  return value === undefined ? undefined : (list(value) as FailureStrategy[]);
}

function buildStep(raw: Raw): Step {
  const step: Step = {
    identifier: String(raw.identifier),
    name: String(raw.name),
    type: raw.type as Step['type'],
    spec: record(raw.spec),
  };
  Object.assign(step, pick<Step>(raw, ['description', 'timeout']));
  const when = buildWhen(raw.when);
  if (when !== undefined) step.when = when;
  const strategies = buildFailureStrategies(raw.failureStrategies);
  if (strategies !== undefined) step.failureStrategies = strategies;
  return step;
}

function buildStepGroup(raw: Raw): StepGroup {
  const group: StepGroup = { identifier: String(raw.identifier), name: String(raw.name), steps: buildStepNodes(raw.steps) };
  if (typeof raw.description === 'string') group.description = raw.description;
  const when = buildWhen(raw.when);
  if (when !== undefined) group.when = when;
  const strategies = buildFailureStrategies(raw.failureStrategies);
  if (strategies !== undefined) group.failureStrategies = strategies;
  return group;
}

function buildStepNodes(value: unknown): StepNode[] {
  return list(value).map((item): StepNode => {
    const element = record(item);
    if (element.parallel !== undefined) return { kind: 'parallel', nodes: buildStepNodes(element.parallel) };
    if (element.stepGroup !== undefined) return { kind: 'stepGroup', group: buildStepGroup(record(element.stepGroup)) };
    return { kind: 'step', step: buildStep(record(element.step)) };
  });
}

function buildStage(raw: Raw): Stage {
  const spec = record(raw.spec);
  const stage: Stage = {
    identifier: String(raw.identifier),
    name: String(raw.name),
    type: 'CI',
    variables: buildVariables(raw.variables),
    spec: {
      cloneCodebase: spec.cloneCodebase === true,
      execution: { steps: buildStepNodes(record(spec.execution).steps) },
      serviceDependencies: list(spec.serviceDependencies),
      sharedPaths: list(spec.sharedPaths).map(String),
      ...pick<Stage['spec']>(spec, ['infrastructure', 'platform', 'runtime', 'caching']),
    },
  };
  Object.assign(stage, pick<Stage>(raw, ['description', 'timeout', 'delegateSelectors']));
  const when = buildWhen(raw.when);
  if (when !== undefined) stage.when = when;
  const strategies = buildFailureStrategies(raw.failureStrategies);
  if (strategies !== undefined) stage.failureStrategies = strategies;
  return stage;
}

function buildStageNodes(value: unknown): StageNode[] {
  return list(value).map((item): StageNode => {
    const element = record(item);
    if (element.parallel !== undefined) {
      return { kind: 'parallel', stages: list(element.parallel).map((inner) => buildStage(record(record(inner).stage))) };
    }
    return { kind: 'stage', stage: buildStage(record(element.stage)) };
  });
}

/** Default org and project of a pipeline that names none, as in a new Harness account. */
export const DEFAULT_ORG = 'default';
export const DEFAULT_PROJECT = 'default';

/** Builds the pipeline model from the values of a pipeline document that validated without problems. */
export function buildPipeline(raw: Raw): Pipeline {
  const pipeline: Pipeline = {
    identifier: String(raw.identifier),
    name: String(raw.name),
    orgIdentifier: optionalString(raw.orgIdentifier) ?? DEFAULT_ORG,
    projectIdentifier: optionalString(raw.projectIdentifier) ?? DEFAULT_PROJECT,
    tags: stringMap(raw.tags),
    variables: buildVariables(raw.variables),
    stages: buildStageNodes(raw.stages),
  };
  Object.assign(pipeline, pick<Pipeline>(raw, ['description', 'timeout']));
  const codebase = record(record(raw.properties).ci).codebase;
  if (codebase !== undefined) pipeline.codebase = codebase as Codebase;
  return pipeline;
}

/** Builds the connector model from the values of a connector document that validated without problems. */
export function buildConnector(raw: Raw): Connector {
  const connector: Connector = {
    identifier: String(raw.identifier),
    name: String(raw.name),
    type: raw.type as Connector['type'],
    spec: record(raw.spec),
  };
  Object.assign(connector, pick<Connector>(raw, ['orgIdentifier', 'projectIdentifier', 'description']));
  if (raw.tags !== undefined) connector.tags = stringMap(raw.tags);
  return connector;
}
