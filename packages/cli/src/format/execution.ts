import type { wire } from '@kiln/protocol';
import { renderTable } from './table.js';
import { formatWaitReason } from './wait-reason.js';
import { formatElapsed, formatTimestamp } from './time.js';

type Execution = wire.Execution__Output;
type Stage = wire.Stage__Output;
type Step = wire.Step__Output;

const BUILD_LABELS: Record<string, string> = { branch: 'Branch', tag: 'Tag', PR: 'PR', commitSha: 'Commit' };

/** Returns `org/project/pipeline`, or the bare identifier when org and project are empty. */
export function pipelinePath(execution: Execution): string {
  return [execution.org, execution.project, execution.pipeline].filter((part) => part !== '').join('/');
}

/** Formats the ref an execution builds, e.g. `branch main` or `tag v1.2`; `-` when there is no codebase. */
export function formatBuildRef(execution: Execution): string {
  if (execution.build_type === '' && execution.build_value === '') return '-';
  const label = BUILD_LABELS[execution.build_type] ?? execution.build_type;
  return `${label.toLowerCase()} ${execution.build_value}`.trim();
}

/** Formats an artifact as `registry/repository:tag@digest (pushed|not pushed)`. */
export function formatArtifact(artifact: wire.Artifact__Output): string {
  const registry = artifact.registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const name = [registry, artifact.repository].filter((part) => part !== '').join('/');
  const digest = artifact.digest === '' ? '' : `@${artifact.digest}`;
  return `${name}:${artifact.tag}${digest} (${artifact.pushed ? 'pushed' : 'not pushed'})`;
}

/** Formats the readable view of `kiln get execution`: a header, then each stage with its steps. */
export function formatExecution(execution: Execution, nowMs: number): string[] {
  const lines = formatHeader(execution, nowMs);
  for (const stage of execution.stages) {
    lines.push('', ...formatStage(stage, nowMs));
  }
  return lines;
}

function formatHeader(execution: Execution, nowMs: number): string[] {
  const fields: [string, string][] = [
    ['Execution', execution.id],
    ['Pipeline', pipelinePath(execution)],
    ['Build ID', String(execution.sequence_id)],
    ['Status', execution.status],
  ];
  if (execution.build_type !== '') {
    fields.push([BUILD_LABELS[execution.build_type] ?? execution.build_type, execution.build_value]);
  }
  fields.push(['Commit', execution.commit_sha === '' ? '-' : execution.commit_sha]);
  if (execution.trigger !== '') fields.push(['Trigger', execution.trigger]);
  fields.push(
    ['Created', formatTimestamp(execution.created_at_ms)],
    ['Started', formatTimestamp(execution.started_at_ms)],
    ['Finished', formatTimestamp(execution.finished_at_ms)],
    ['Duration', formatElapsed(execution.started_at_ms, execution.finished_at_ms, nowMs)],
  );
  if (execution.error_message !== '') fields.push(['Error', execution.error_message]);
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 3)}${value}`);
}

function formatStage(stage: Stage, nowMs: number): string[] {
  const title = stage.name !== '' && stage.name !== stage.id ? `${stage.name} (${stage.id})` : stage.id;
  const facts = [
    `delegate ${stage.delegate_name || stage.delegate_id || '-'}`,
    `attempt ${stage.attempt}`,
    `duration ${formatElapsed(stage.started_at_ms, stage.finished_at_ms, nowMs)}`,
  ];
  const lines = [`Stage ${title}: ${stage.status}`, `  ${facts.join(', ')}`];
  if (stage.reason !== '') lines.push(`  waiting for a delegate: ${formatWaitReason(stage)}`);
  if (stage.error_message !== '') lines.push(`  error: ${stage.error_message}`);
  if (stage.steps.length === 0) return lines;

  const rows = stage.steps.map((step) => [
    step.id,
    step.name,
    step.type,
    step.status,
    formatElapsed(step.started_at_ms, step.finished_at_ms, nowMs),
    step.has_exit_code ? String(step.exit_code) : '-',
  ]);
  lines.push(...renderTable(['STEP', 'NAME', 'TYPE', 'STATUS', 'DURATION', 'EXIT'], rows).map((line) => `  ${line}`));
  lines.push(...formatStepDetails(stage.steps));
  return lines;
}

/** Lists each step's error, output variables and artifacts below the stage's step table. */
function formatStepDetails(steps: readonly Step[]): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    if (step.error_message !== '') {
      const code = step.error_code === '' ? '' : ` [${step.error_code}]`;
      lines.push(`  ${step.id}: error${code}: ${step.error_message}`);
    }
    for (const [name, value] of Object.entries(step.outputs).sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${step.id}: output ${name}=${value}`);
    }
    for (const artifact of step.artifacts) {
      lines.push(`  ${step.id}: artifact ${formatArtifact(artifact)}`);
    }
  }
  return lines;
}

/** Formats `kiln executions` as a table, newest first. */
export function formatExecutionTable(executions: readonly Execution[], nowMs: number): string[] {
  if (executions.length === 0) return ['No executions found.'];
  const newestFirst = [...executions].sort((a, b) => b.created_at_ms - a.created_at_ms);
  const rows = newestFirst.map((execution) => [
    pipelinePath(execution),
    String(execution.sequence_id),
    execution.status,
    formatBuildRef(execution),
    formatTimestamp(execution.created_at_ms),
    formatElapsed(execution.started_at_ms, execution.finished_at_ms, nowMs),
    execution.id,
  ]);
  return renderTable(['PIPELINE', 'BUILD ID', 'STATUS', 'REF', 'CREATED', 'DURATION', 'EXECUTION'], rows);
}
