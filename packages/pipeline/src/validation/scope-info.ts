/** Names an expression may refer to at one place in a pipeline, gathered from the validated raw YAML values. */
export interface ReferenceScope {
  pipelineVariables: string[];
  hasCodebase: boolean;
  /** Steps of every stage of the pipeline by stage identifier, in run order, for `pipeline.stages.S...` references. */
  stages: Map<string, Map<string, StepInfo>>;
  /** Identifier of the stage the path lies in, if any. */
  stageId?: string;
  /** Undefined outside a stage. */
  stage?: {
    variables: string[];
    /** Every step and step group in the stage, by identifier, with the output variables a Run or Background step declares. */
    steps: Map<string, StepInfo>;
  };
}

export interface StepInfo {
  /** Declared output variable names; undefined when the step type sets outputs itself (e.g. Plugin). */
  outputs?: string[];
  /** Steps inside a step group, by identifier. */
  children?: Map<string, StepInfo>;
}

type Raw = Record<string, unknown>;

function record(value: unknown): Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function variableNames(value: unknown): string[] {
  return list(value)
    .map((variable) => record(variable).name)
    .filter((name): name is string => typeof name === 'string');
}

function stepInfo(step: Raw): StepInfo {
  if (step.type !== 'Run' && step.type !== 'Background') return {};
  const outputs = list(record(step.spec).outputVariables)
    .map((output) => record(output).name)
    .filter((name): name is string => typeof name === 'string');
  return { outputs };
}

function collectSteps(elements: unknown, all: Map<string, StepInfo>, local: Map<string, StepInfo>): void {
  for (const element of list(elements)) {
    const entry = record(element);
    const step = record(entry.step);
    if (typeof step.identifier === 'string') {
      const info = stepInfo(step);
      all.set(step.identifier, info);
      local.set(step.identifier, info);
    }
    if (entry.parallel !== undefined) collectSteps(entry.parallel, all, local);
    const group = record(entry.stepGroup);
    if (typeof group.identifier === 'string') {
      const children = new Map<string, StepInfo>();
      collectSteps(group.steps, all, children);
      const info: StepInfo = { children };
      if (!all.has(group.identifier)) all.set(group.identifier, info);
      local.set(group.identifier, info);
    }
  }
}

const STAGE_PATH = /^pipeline\.stages\[(\d+)\](?:\.parallel\[(\d+)\])?\.stage(?:\.|$)/;

/** Finds the raw stage a YAML path lies in, if any. */
function stageAt(pipeline: Raw, path: string): Raw | undefined {
  const match = STAGE_PATH.exec(path);
  if (match === null) return undefined;
  const element = record(list(pipeline.stages)[Number(match[1])]);
  if (match[2] === undefined) return record(element.stage);
  return record(record(list(element.parallel)[Number(match[2])]).stage);
}

/** Builds the reference scope of a YAML path inside a validated pipeline. */
export function referenceScopeAt(pipeline: Raw, path: string): ReferenceScope {
  const scope: ReferenceScope = {
    pipelineVariables: variableNames(pipeline.variables),
    hasCodebase: record(record(pipeline.properties).ci).codebase !== undefined,
    stages: stageSteps(pipeline),
  };
  const stage = stageAt(pipeline, path);
  if (stage !== undefined) {
    const steps = new Map<string, StepInfo>();
    collectSteps(record(record(stage.spec).execution).steps, steps, new Map());
    scope.stage = { variables: variableNames(stage.variables), steps };
    if (typeof stage.identifier === 'string') scope.stageId = stage.identifier;
  }
  return scope;
}

/** Returns the top-level steps and step groups of each stage by stage identifier, in run order. */
function stageSteps(pipeline: Raw): Map<string, Map<string, StepInfo>> {
  const stages = new Map<string, Map<string, StepInfo>>();
  const add = (stage: Raw): void => {
    if (typeof stage.identifier !== 'string') return;
    const local = new Map<string, StepInfo>();
    collectSteps(record(record(stage.spec).execution).steps, new Map(), local);
    stages.set(stage.identifier, local);
  };
  for (const element of list(pipeline.stages)) {
    const entry = record(element);
    if (entry.stage !== undefined) add(record(entry.stage));
    for (const parallel of list(entry.parallel)) add(record(record(parallel).stage));
  }
  return stages;
}
