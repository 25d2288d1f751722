import { KilnError, type BuildType } from '@kiln/protocol';
import { prepareExecution, type Pipeline } from '@kiln/pipeline';
import type { EpochMs, ExecutionRecord, PipelineRecord, StoreOperations } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import type { ExecutionProgress } from './execution-progress.js';
import type { ExecutionPlan } from './plan.js';
import { StagePlanner, stageGroups } from './stage-planner.js';

/** A request to run a pipeline. */
export interface StartRequest {
  /** Pipeline identifier, or `org/project/identifier` when the identifier is ambiguous. */
  pipeline: string;
  build?: { type: BuildType; value: string };
  /** Runtime inputs by name (`pipeline.variables.X`, a variable name or a YAML path). */
  inputs: Record<string, string>;
  trigger: string;
}

function pipelineName(record: PipelineRecord): string {
  return `${record.org}/${record.project}/${record.identifier}`;
}

/**
 * Finds a pipeline by identifier, or by `org/project/identifier`.
 * @throws KilnError NOT_FOUND listing the stored pipelines, or INVALID_ARGUMENT when the identifier is ambiguous.
 */
export async function findPipeline(tx: StoreOperations, reference: string): Promise<PipelineRecord> {
  const parts = reference.split('/');
  let found: PipelineRecord[];
  if (parts.length === 3) {
    const record = await tx.getPipeline(parts[0] as string, parts[1] as string, parts[2] as string);
    found = record === undefined ? [] : [record];
  } else {
    found = await tx.findPipelines(reference);
  }
  if (found.length === 1) return found[0] as PipelineRecord;
  if (found.length > 1) {
    const choices = found.map(pipelineName).join(', ');
    throw new KilnError('INVALID_ARGUMENT', `pipeline identifier ${reference} is ambiguous: it exists in ${choices}; name one as org/project/identifier`);
  }
  const known = (await tx.listPipelines()).map((record) => record.identifier);
  const list = known.length > 0 ? `stored pipelines: ${[...new Set(known)].join(', ')}` : 'no pipeline is stored yet';
  throw new KilnError('NOT_FOUND', `pipeline ${reference} not found (${list}); apply it with \`kiln apply -f FILE\``);
}

/**
 * Creates an execution with the pipeline's next sequence id and queues the
 * tasks of its first stage group. Runs inside the caller's transaction, so a
 * failure leaves no execution and does not use up the sequence id.
 * @throws PipelineInputError for missing or invalid runtime inputs, KilnError CONNECTOR_NOT_FOUND listing every missing connector.
 */
export async function startExecution(
  tx: StoreOperations,
  effects: CommitEffects,
  progress: ExecutionProgress,
  request: StartRequest,
  options: { clock: () => EpochMs; newId: () => string },
): Promise<ExecutionRecord> {
  const record = await findPipeline(tx, request.pipeline);
  const executionId = options.newId();
  const sequenceId = await tx.allocateSequenceId(record.id);
  const pipeline = JSON.parse(record.modelJson) as Pipeline;
  const prepared = prepareExecution(pipeline, { executionId, sequenceId, build: request.build, inputs: request.inputs });

  const planner = new StagePlanner(tx, record, prepared, { executionId, sequenceId });
  const groups = stageGroups(prepared.pipeline.stages);
  const plan: ExecutionPlan = { stages: [] };
  for (const stage of prepared.stages) {
    plan.stages.push(await planner.plan(stage, groups.get(stage.stage.identifier) ?? stage.index));
  }
  if (planner.problems.length > 0) {
    const refs = planner.problems.map((problem) => problem.message).join('; ');
    throw new KilnError('CONNECTOR_NOT_FOUND', `cannot run ${record.identifier} from ${record.sourceFile}:${record.sourceLine}: ${refs}`, {
      details: { problems: planner.problems },
    });
  }

  const now = options.clock();
  const execution: ExecutionRecord = {
    id: executionId,
    pipelineId: record.id,
    pipelineIdentifier: record.identifier,
    org: record.org,
    project: record.project,
    sequenceId,
    status: 'Queued',
    buildType: prepared.build?.type,
    buildValue: prepared.build?.value,
    commitSha: prepared.build?.type === 'commitSha' ? prepared.build.value : undefined,
    trigger: request.trigger,
    preparedJson: JSON.stringify(plan),
    cancelRequested: false,
    errorMessage: undefined,
    createdAt: now,
    startedAt: undefined,
    finishedAt: undefined,
  };
  await tx.insertExecution(execution);
  for (const stage of plan.stages) {
    await tx.insertStage({
      executionId,
      stageId: stage.stageId,
      name: stage.name,
      stageIndex: stage.stageIndex,
      groupIndex: stage.groupIndex,
      status: 'Queued',
      attempt: 1,
      taskId: undefined,
      delegateId: undefined,
      errorMessage: undefined,
      startedAt: undefined,
      finishedAt: undefined,
    });
  }
  effects.executionChanged(executionId);
  await progress.advance(tx, effects, executionId);
  return (await tx.getExecution(executionId)) ?? execution;
}
