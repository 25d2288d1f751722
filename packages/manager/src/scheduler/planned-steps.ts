import type { Stage, StepNode } from '@kiln/pipeline';

/** A step's name and type as the pipeline declares them. */
export interface PlannedStep {
  name: string;
  type: string;
}

/** Adds the steps under `nodes` to `steps` by the id delegates report: a step group prefixes `<groupId>/`. */
function collectSteps(nodes: readonly StepNode[], prefix: string, steps: Map<string, PlannedStep>): void {
  for (const node of nodes) {
    if (node.kind === 'step') steps.set(`${prefix}${node.step.identifier}`, { name: node.step.name, type: node.step.type });
    else if (node.kind === 'parallel') collectSteps(node.nodes, prefix, steps);
    else collectSteps(node.group.steps, `${prefix}${node.group.identifier}/`, steps);
  }
}

/**
 * Returns the declared name and type of a step of a task's payload, used for
 * steps the delegate reports only as finished (Skipped) and never as started.
 * Returns undefined when the payload cannot be read or has no such step.
 */
export function plannedStep(payloadJson: string, stepId: string): PlannedStep | undefined {
  let stage: Stage | undefined;
  try {
    stage = (JSON.parse(payloadJson) as { stage?: Stage }).stage;
  } catch {
    return undefined;
  }
  const nodes = stage?.spec?.execution?.steps;
  if (!Array.isArray(nodes)) return undefined;
  const steps = new Map<string, PlannedStep>();
  collectSteps(nodes, '', steps);
  return steps.get(stepId);
}
