import type { Pipeline, Stage, StageNode, StepNode } from './model.js';

/** Called for each string in a model with its YAML path; returns the replacement or undefined to keep it. */
export type StringVisitor = (value: string, path: string) => string | undefined;

function walkValue(value: unknown, path: string, visit: StringVisitor): unknown {
  if (typeof value === 'string') return visit(value, path) ?? value;
  if (Array.isArray(value)) return value.map((item, index) => walkValue(item, `${path}[${index}]`, visit));
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = walkValue(item, `${path}.${key}`, visit);
    return result;
  }
  return value;
}

function walkStepNodes(nodes: StepNode[], path: string, visit: StringVisitor): StepNode[] {
  return nodes.map((node, index): StepNode => {
    const at = `${path}[${index}]`;
    if (node.kind === 'step') return { kind: 'step', step: walkValue(node.step, `${at}.step`, visit) as typeof node.step };
    if (node.kind === 'parallel') return { kind: 'parallel', nodes: walkStepNodes(node.nodes, `${at}.parallel`, visit) };
    const { steps, ...rest } = node.group;
    const group = walkValue(rest, `${at}.stepGroup`, visit) as Omit<typeof node.group, 'steps'>;
    return { kind: 'stepGroup', group: { ...group, steps: walkStepNodes(steps, `${at}.stepGroup.steps`, visit) } };
  });
}

/** Returns a copy of a stage with each string replaced as `visit` decides; paths start at `path` (the stage's YAML path). */
export function mapStageStrings(stage: Stage, path: string, visit: StringVisitor): Stage {
  const { spec, ...rest } = stage;
  const { execution, ...specRest } = spec;
  const top = walkValue(rest, path, visit) as Omit<Stage, 'spec'>;
  const specCopy = walkValue(specRest, `${path}.spec`, visit) as Omit<Stage['spec'], 'execution'>;
  const steps = walkStepNodes(execution.steps, `${path}.spec.execution.steps`, visit);
  return { ...top, spec: { ...specCopy, execution: { steps } } };
}

/** A stage with its index (parallel stages counted in order) and YAML path. */
export interface LocatedStage {
  index: number;
  stage: Stage;
  path: string;
}

/** Lists the stages of a pipeline in run order, flattening parallel groups. */
export function listStages(stages: StageNode[]): LocatedStage[] {
  const located: LocatedStage[] = [];
  stages.forEach((node, position) => {
    if (node.kind === 'stage') located.push({ index: located.length, stage: node.stage, path: `pipeline.stages[${position}].stage` });
    else node.stages.forEach((stage, inner) => located.push({ index: located.length, stage, path: `pipeline.stages[${position}].parallel[${inner}].stage` }));
  });
  return located;
}

/** Returns a copy of a pipeline with each string replaced as `visit` decides, visiting with YAML paths. */
export function mapPipelineStrings(pipeline: Pipeline, visit: StringVisitor): Pipeline {
  const { stages, codebase, ...rest } = pipeline;
  const result = walkValue(rest, 'pipeline', visit) as Pipeline;
  if (codebase !== undefined) result.codebase = walkValue(codebase, 'pipeline.properties.ci.codebase', visit) as Pipeline['codebase'];
  result.stages = stages.map((node, position): StageNode => {
    if (node.kind === 'stage') return { kind: 'stage', stage: mapStageStrings(node.stage, `pipeline.stages[${position}].stage`, visit) };
    return {
      kind: 'parallel',
      stages: node.stages.map((stage, inner) => mapStageStrings(stage, `pipeline.stages[${position}].parallel[${inner}].stage`, visit)),
    };
  });
  return result;
}
