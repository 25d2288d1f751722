import type { Pipeline, Stage, StepNode } from './model.js';

const STAGE_PATH = /^pipeline\.stages\[(\d+)\](?:\.parallel\[(\d+)\])?\.stage\.(.+)$/;
const STEP_ELEMENT = /^\[(\d+)\]\.(stepGroup|step|parallel)(?=\.|\[|$)(.*)$/;
const STEPS = 'spec.execution.steps';

function stageAt(pipeline: Pipeline, position: number, inner: number | undefined): Stage | undefined {
  const node = pipeline.stages[position];
  if (node === undefined) return undefined;
  if (node.kind === 'stage') return inner === undefined ? node.stage : undefined;
  return inner === undefined ? undefined : node.stages[inner];
}

/** Turns the rest of a path below `execution.steps` (e.g. `[0].stepGroup.steps[1].step.spec.command`) into identifier form. */
function stepsName(nodes: StepNode[], rest: string, prefix: string): string | undefined {
  const match = STEP_ELEMENT.exec(rest);
  const node = match === null ? undefined : nodes[Number(match[1])];
  if (match === null || node === undefined) return undefined;
  const tail = match[3] ?? '';
  if (node.kind === 'step') return `${prefix}.${node.step.identifier}${tail}`;
  if (node.kind === 'parallel') return stepsName(node.nodes, tail, prefix);
  const groupPrefix = `${prefix}.${node.group.identifier}`;
  return tail.startsWith('.steps[') ? stepsName(node.group.steps, tail.slice('.steps'.length), `${groupPrefix}.steps`) : `${groupPrefix}${tail}`;
}

/**
 * Returns the fully qualified name of a YAML path in a pipeline, as Harness
 * names fields in input sets and expressions: stages, steps and step groups by
 * identifier instead of list position, e.g.
 * `pipeline.stages[0].stage.spec.execution.steps[1].step.spec.command` becomes
 * `pipeline.stages.build.spec.execution.steps.test.spec.command`.
 * Returns undefined for paths outside a stage, which have no list positions to replace.
 */
export function fullyQualifiedName(path: string, pipeline: Pipeline): string | undefined {
  const match = STAGE_PATH.exec(path);
  if (match === null) return undefined;
  const stage = stageAt(pipeline, Number(match[1]), match[2] === undefined ? undefined : Number(match[2]));
  const rest = match[3] ?? '';
  if (stage === undefined) return undefined;
  const prefix = `pipeline.stages.${stage.identifier}`;
  if (!rest.startsWith(`${STEPS}[`)) return `${prefix}.${rest}`;
  return stepsName(stage.spec.execution.steps, rest.slice(STEPS.length), `${prefix}.${STEPS}`);
}
