/** Shapes of the manager's JSON API (the ManagerService messages, field names in snake_case). */

export interface Artifact {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  pushed: boolean;
}

export interface Step {
  id: string;
  name: string;
  type: string;
  status: string;
  attempt: number;
  exit_code: number;
  has_exit_code: boolean;
  error_code: string;
  error_message: string;
  started_at_ms: number;
  finished_at_ms: number;
  outputs: Record<string, string>;
  artifacts: Artifact[];
}

export interface Stage {
  id: string;
  name: string;
  status: string;
  attempt: number;
  task_id: string;
  delegate_id: string;
  delegate_name: string;
  /** Reason a queued stage waits, e.g. no_matching_delegate. */
  reason: string;
  error_message: string;
  started_at_ms: number;
  finished_at_ms: number;
  steps: Step[];
}

export interface Execution {
  id: string;
  pipeline: string;
  org: string;
  project: string;
  sequence_id: number;
  status: string;
  build_type: string;
  build_value: string;
  commit_sha: string;
  trigger: string;
  created_at_ms: number;
  started_at_ms: number;
  finished_at_ms: number;
  error_message: string;
  stages: Stage[];
}

export interface Delegate {
  id: string;
  name: string;
  tags: string[];
  version: string;
  executor: string;
  builder: string;
  builder_version: string;
  capacity: number;
  slots_used: number;
  state: string;
  registered_at_ms: number;
  last_heartbeat_ms: number;
}

export interface PipelineSummary {
  identifier: string;
  name: string;
  org: string;
  project: string;
  last_sequence_id: number;
  updated_at_ms: number;
}

export interface RuntimeInputField {
  path: string;
  name: string;
  label: string;
  default?: string;
  allowedValues?: string[];
  regex?: string;
}

export interface PipelineDetail extends PipelineSummary {
  yaml: string;
  source_file: string;
  codebase_build: 'input' | 'fixed' | 'none';
  inputs: RuntimeInputField[];
}

export interface LogLine {
  attempt: number;
  seq: number;
  ts: number;
  stream: string;
  text: string;
  incomplete: boolean;
}

/** Statuses after which an execution, stage or step no longer changes. */
export const TERMINAL_STATUSES = new Set(['Succeeded', 'Failed', 'Aborted', 'Expired', 'Skipped', 'IgnoreFailed']);

export const STATUSES = ['Queued', 'Running', 'Succeeded', 'Failed', 'Aborted', 'Expired'];
