import type { Connector, Pipeline, Stage, StepNode } from './model.js';

/**
 * Returns the storage key of a connector reference as a pipeline writes it:
 * `account.X` is `account/X`, `org.X` is `org/<org>/X`, and a plain `X` is
 * `project/<org>/<project>/X`.
 */
export function connectorKey(ref: string, orgIdentifier: string, projectIdentifier: string): string {
  if (ref.startsWith('account.')) return `account/${ref.slice('account.'.length)}`;
  if (ref.startsWith('org.')) return `org/${orgIdentifier}/${ref.slice('org.'.length)}`;
  return `project/${orgIdentifier}/${projectIdentifier}/${ref}`;
}

/** Returns a connector's storage key from its own scope: account without org, org without project. */
export function connectorKeyOf(connector: Connector): string {
  if (connector.orgIdentifier === undefined) return `account/${connector.identifier}`;
  if (connector.projectIdentifier === undefined) return `org/${connector.orgIdentifier}/${connector.identifier}`;
  return `project/${connector.orgIdentifier}/${connector.projectIdentifier}/${connector.identifier}`;
}

function stepRefs(nodes: StepNode[], into: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'parallel') stepRefs(node.nodes, into);
    else if (node.kind === 'stepGroup') stepRefs(node.group.steps, into);
    else {
      const spec = node.step.spec;
      if (typeof spec.connectorRef === 'string') into.push(spec.connectorRef);
      const base = spec.baseImageConnectorRefs;
      if (typeof base === 'string') into.push(base);
      if (Array.isArray(base)) for (const ref of base) if (typeof ref === 'string') into.push(ref);
    }
  }
}

function findStage(pipeline: Pipeline, identifier: string): Stage | undefined {
  for (const node of pipeline.stages) {
    const stages = node.kind === 'stage' ? [node.stage] : node.stages;
    const found = stages.find((stage) => stage.identifier === identifier);
    if (found !== undefined) return found;
  }
  return undefined;
}

function infrastructureRefs(stage: Stage, pipeline: Pipeline, into: string[]): void {
  let infrastructure = stage.spec.infrastructure;
  // `useFromStage` borrows another stage's infrastructure; follow it once, as Harness allows no chains.
  if (infrastructure?.useFromStage !== undefined) infrastructure = findStage(pipeline, infrastructure.useFromStage)?.spec.infrastructure;
  const spec = infrastructure?.spec;
  if (typeof spec?.connectorRef === 'string') into.push(spec.connectorRef);
  if (typeof spec?.harnessImageConnectorRef === 'string') into.push(spec.harnessImageConnectorRef);
}

/**
 * Lists the connector references a stage needs, in first-use order without
 * repeats: the infrastructure's, each step's, and the codebase's when the
 * stage clones it.
 */
export function collectConnectorRefs(stage: Stage, pipeline: Pipeline): string[] {
  const refs: string[] = [];
  infrastructureRefs(stage, pipeline, refs);
  if (stage.spec.cloneCodebase && pipeline.codebase !== undefined) refs.push(pipeline.codebase.connectorRef);
  stepRefs(stage.spec.execution.steps, refs);
  return [...new Set(refs)];
}
