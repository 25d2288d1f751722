import { KilnError, type CodebaseRecord, type ConnectorRecord } from '@kiln/protocol';
import { collectConnectorRefs, connectorKey, findYamlValue, listStages, locateYamlPath, type Pipeline, type PreparedExecution, type PreparedStage, type Stage, type StageNode } from '@kiln/pipeline';
import type { PipelineRecord, StoreOperations } from '../store/store.js';
import type { PlannedStage } from './plan.js';

/** A problem in the shape the CLI prints as `file:line:column: message`. */
export interface PlanProblem {
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  path: string;
}

/** Returns the group of every stage: stages of one `parallel` block share a group, groups run in order. */
export function stageGroups(nodes: readonly StageNode[]): Map<string, number> {
  const groups = new Map<string, number>();
  nodes.forEach((node, group) => {
    const stages = node.kind === 'stage' ? [node.stage] : node.stages;
    for (const stage of stages) groups.set(stage.identifier, group);
  });
  return groups;
}

/**
 * Returns the clone URL of a Git or Github connector: `url/repoName` for an
 * Account connection, the url itself for a Repo connection.
 */
export function cloneUrl(connector: ConnectorRecord, repoName: string | undefined): string {
  const url = String(connector.spec.url ?? '');
  const declared = connector.spec.connectionType ?? connector.spec.type;
  let connection = repoName ? 'Account' : 'Repo';
  if (declared === 'Account' || declared === 'Repo') connection = declared;
  if (connection === 'Repo') return url;
  if (!repoName) {
    throw new KilnError('INVALID_PIPELINE', `codebase connector ${connector.ref} is an Account connection, so properties.ci.codebase.repoName is required; set repoName to the repository name under ${url}`);
  }
  return `${url.replace(/\/+$/, '')}/${repoName}`;
}

/** Returns the infrastructure connector ref of a stage, following `useFromStage`. */
function infrastructureRef(stage: Stage, stages: readonly PreparedStage[]): string | undefined {
  let infrastructure = stage.spec.infrastructure;
  if (infrastructure?.useFromStage !== undefined) {
    const source = stages.find((candidate) => candidate.stage.identifier === infrastructure?.useFromStage);
    infrastructure = source?.stage.spec.infrastructure;
  }
  const ref = infrastructure?.spec?.connectorRef;
  return typeof ref === 'string' && ref.length > 0 ? ref : undefined;
}

/** Resolves connector references against the store, collecting a problem for each missing one. */
export class StagePlanner {
  readonly problems: PlanProblem[] = [];

  constructor(
    private readonly tx: StoreOperations,
    private readonly record: PipelineRecord,
    private readonly prepared: PreparedExecution,
    private readonly run: { executionId: string; sequenceId: number },
  ) {}

  private async resolve(ref: string, stage: Stage, stagePath: string): Promise<ConnectorRecord | undefined> {
    const key = connectorKey(ref, this.record.org, this.record.project);
    const row = await this.tx.getConnector(key);
    if (row !== undefined) {
      return { ref, identifier: row.identifier, type: row.type, spec: JSON.parse(row.specJson) as Record<string, unknown> };
    }
    this.problems.push({
      code: 'UNKNOWN_REFERENCE',
      message: `connector "${ref}" (key ${key}) used by stage ${stage.identifier} of pipeline ${this.record.identifier} is not stored; apply its connector: document with \`kiln apply -f FILE\` and run again`,
      file: this.record.sourceFile,
      ...this.locateRef(ref, stagePath),
    });
    return undefined;
  }

  /**
   * Returns the position of the `connectorRef` that names `ref`: in the
   * stage, else in the codebase, else anywhere in the pipeline (a stage
   * whose infrastructure comes from another with `useFromStage`). Falls back
   * to the stage, e.g. for a ref that a runtime input supplied.
   */
  private locateRef(ref: string, stagePath: string): { line: number; column: number; path: string } {
    const source = this.record.source;
    const found = findYamlValue(source, { key: 'connectorRef', value: ref, under: stagePath })
      ?? findYamlValue(source, { key: 'connectorRef', value: ref, under: 'pipeline.properties' })
      ?? findYamlValue(source, { key: 'connectorRef', value: ref })
      ?? locateYamlPath(source, stagePath);
    if (found === undefined) return { line: this.record.sourceLine, column: 1, path: stagePath };
    // The stored source starts at the `pipeline:` key, which is on line sourceLine of the file.
    return { line: this.record.sourceLine + found.line - 1, column: found.column, path: found.path };
  }

  /** Builds the planned task of one stage; missing connectors are left out and reported in `problems`. */
  async plan(prepared: PreparedStage, group: number): Promise<PlannedStage> {
    const { stage } = prepared;
    const pipeline: Pipeline = this.prepared.pipeline;
    const located = listStages(pipeline.stages).find((candidate) => candidate.stage.identifier === stage.identifier);
    const path = located?.path ?? `pipeline.stages[${prepared.index}]`;
    const refs = new Set(collectConnectorRefs(stage, pipeline));
    const infraRef = infrastructureRef(stage, this.prepared.stages);
    if (infraRef !== undefined) refs.add(infraRef);
    if (stage.spec.cloneCodebase && pipeline.codebase !== undefined) refs.add(pipeline.codebase.connectorRef);

    const connectors: Record<string, ConnectorRecord> = {};
    for (const ref of refs) {
      const connector = await this.resolve(ref, stage, path);
      if (connector !== undefined) connectors[ref] = connector;
    }
    const infraConnector = infraRef === undefined ? undefined : connectors[infraRef];
    const selectors = Array.isArray(infraConnector?.spec.delegateSelectors) ? (infraConnector.spec.delegateSelectors as unknown[]).map(String) : [];
    return {
      stageId: stage.identifier,
      name: stage.name,
      stageIndex: prepared.index,
      groupIndex: group,
      selectors,
      selectorConnector: selectors.length > 0 ? infraRef : undefined,
      payload: {
        executionId: this.run.executionId,
        pipeline: {
          identifier: pipeline.identifier,
          name: pipeline.name,
          orgIdentifier: pipeline.orgIdentifier,
          projectIdentifier: pipeline.projectIdentifier,
          sequenceId: this.run.sequenceId,
          variables: this.prepared.variables,
        },
        stage,
        stageIndex: prepared.index,
        codebase: this.codebase(stage, connectors),
        connectors,
        timeoutMs: prepared.timeoutMs,
      },
    };
  }

  private codebase(stage: Stage, connectors: Record<string, ConnectorRecord>): CodebaseRecord | undefined {
    const codebase = this.prepared.pipeline.codebase;
    const build = this.prepared.build;
    if (!stage.spec.cloneCodebase || codebase === undefined || build === undefined) return undefined;
    const connector = connectors[codebase.connectorRef];
    if (connector === undefined) return undefined;
    return {
      connectorRef: codebase.connectorRef,
      repoName: codebase.repoName,
      repoUrl: cloneUrl(connector, codebase.repoName),
      build,
      depth: codebase.depth,
      cloneDirectory: codebase.cloneDirectory,
    };
  }
}
