import type { wire } from '@kiln/protocol';
import type { LogLineOut } from '../logs/log-follower.js';
import { displayState } from '../scheduler/delegate-match.js';
import { parsePlan } from '../scheduler/plan.js';
import type { ExecutionView } from '../scheduler/scheduler.js';
import type { DelegateRecord, EpochMs, PipelineRecord, StageRecord, StepRecord, TaskRecord, TaskResult } from '../store/store.js';

function stepToWire(step: StepRecord): wire.Step {
  return {
    id: step.stepId,
    name: step.name,
    type: step.type,
    status: step.status,
    attempt: step.attempt,
    exit_code: step.exitCode ?? 0,
    has_exit_code: step.exitCode !== undefined,
    error_code: step.errorCode ?? '',
    error_message: step.errorMessage ?? '',
    started_at_ms: step.startedAt ?? 0,
    finished_at_ms: step.finishedAt ?? 0,
    outputs: step.outputs,
    artifacts: step.artifacts.map((artifact) => ({ ...artifact })),
  };
}

/** Stage status shown for an earlier attempt, from how its task ended; a lost attempt shows as Failed with its error. */
const ATTEMPT_STATUS: Record<TaskResult, string> = { succeeded: 'Succeeded', failed: 'Failed', aborted: 'Aborted', lost: 'Failed', expired: 'Expired' };

function stepsOf(view: ExecutionView, stageId: string, attempt: number): wire.Step[] {
  return view.steps.filter((step) => step.stageId === stageId && step.attempt === attempt).map(stepToWire);
}

/** Builds the entry of an earlier attempt of a stage, e.g. one lost with its delegate. */
function attemptToWire(view: ExecutionView, stage: StageRecord, task: TaskRecord): wire.Stage {
  const delegate = task.delegateId === undefined ? undefined : view.delegates.get(task.delegateId);
  return {
    id: stage.stageId,
    name: stage.name,
    status: task.result === undefined ? 'Failed' : ATTEMPT_STATUS[task.result],
    attempt: task.attempt,
    task_id: task.id,
    delegate_id: task.delegateId ?? '',
    delegate_name: delegate?.name ?? '',
    reason: '',
    error_message: task.errorMessage ?? '',
    started_at_ms: task.acceptedAt ?? 0,
    finished_at_ms: task.finishedAt ?? 0,
    steps: stepsOf(view, stage.stageId, task.attempt),
  };
}

/** Returns a stage's earlier attempts, oldest first, then its current attempt. */
function stageAttemptsToWire(view: ExecutionView, stage: StageRecord): wire.Stage[] {
  const earlier = view.tasks
    .filter((task) => task.stageId === stage.stageId && task.attempt < stage.attempt && task.state === 'done')
    .sort((a, b) => a.attempt - b.attempt);
  return [...earlier.map((task) => attemptToWire(view, stage, task)), stageToWire(view, stage)];
}

/** Returns the connector whose delegateSelectors a stage's task needs, from the execution's plan; '' when unknown. */
function selectorConnectorOf(view: ExecutionView, stageId: string): string {
  try {
    return parsePlan(view.execution.preparedJson).stages.find((stage) => stage.stageId === stageId)?.selectorConnector ?? '';
  } catch {
    return '';
  }
}

function stageToWire(view: ExecutionView, stage: StageRecord): wire.Stage {
  const task = view.tasks.find((candidate) => candidate.id === stage.taskId);
  const delegate = stage.delegateId === undefined ? undefined : view.delegates.get(stage.delegateId);
  const waiting = task?.state === 'queued' && task.reason !== '';
  return {
    id: stage.stageId,
    name: stage.name,
    status: stage.status,
    attempt: stage.attempt,
    task_id: stage.taskId ?? '',
    delegate_id: stage.delegateId ?? '',
    delegate_name: delegate?.name ?? '',
    reason: task?.state === 'queued' ? task.reason : '',
    error_message: stage.errorMessage ?? '',
    started_at_ms: stage.startedAt ?? 0,
    finished_at_ms: stage.finishedAt ?? 0,
    steps: stepsOf(view, stage.stageId, stage.attempt),
    selectors: waiting ? task.selectors : [],
    selector_connector: waiting ? selectorConnectorOf(view, stage.stageId) : '',
  };
}

export function executionToWire(view: ExecutionView): wire.Execution {
  const { execution } = view;
  return {
    id: execution.id,
    pipeline: execution.pipelineIdentifier,
    org: execution.org,
    project: execution.project,
    sequence_id: execution.sequenceId,
    status: execution.status,
    build_type: execution.buildType ?? '',
    build_value: execution.buildValue ?? '',
    commit_sha: execution.commitSha ?? '',
    trigger: execution.trigger,
    created_at_ms: execution.createdAt,
    started_at_ms: execution.startedAt ?? 0,
    finished_at_ms: execution.finishedAt ?? 0,
    error_message: execution.errorMessage ?? '',
    stages: view.stages.flatMap((stage) => stageAttemptsToWire(view, stage)),
  };
}

/**
 * Maps a delegate to the wire. `slotsUsed` is the count of tasks the manager
 * has offered to or runs on it (see countUsedSlots); without it the last
 * heartbeat's count is shown, which lags up to a heartbeat interval.
 */
export function delegateToWire(delegate: DelegateRecord, now: EpochMs, staleAfterMs: number, slotsUsed?: number): wire.Delegate {
  return {
    id: delegate.id,
    name: delegate.name,
    tags: delegate.tags,
    version: delegate.version,
    executor: delegate.executor,
    builder: delegate.builder,
    builder_version: delegate.builderVersion,
    capacity: delegate.capacity,
    slots_used: slotsUsed ?? delegate.slotsUsed,
    state: displayState(delegate, now, staleAfterMs),
    registered_at_ms: delegate.registeredAt,
    last_heartbeat_ms: delegate.lastHeartbeatAt,
  };
}

export function pipelineToWire(pipeline: PipelineRecord): wire.PipelineSummary {
  return {
    identifier: pipeline.identifier,
    name: pipeline.name,
    org: pipeline.org,
    project: pipeline.project,
    last_sequence_id: pipeline.nextSequenceId - 1,
    updated_at_ms: pipeline.updatedAt,
  };
}

export function logLineToWire(line: LogLineOut): wire.LogLine {
  return {
    stage_id: line.stageId,
    step_id: line.stepId,
    attempt: line.attempt,
    seq: line.seq,
    ts_ms: line.ts,
    stream: line.stream,
    text: line.text,
    incomplete: line.incomplete,
  };
}
