import type { wire } from '@kiln/protocol';

/** 2025-01-02 03:04:05Z in epoch milliseconds, the base time of the fixtures. */
export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function step(overrides: Partial<wire.Step__Output>): wire.Step__Output {
  return {
    id: '',
    name: '',
    type: 'Run',
    status: 'Queued',
    attempt: 1,
    exit_code: 0,
    has_exit_code: false,
    error_code: '',
    error_message: '',
    started_at_ms: 0,
    finished_at_ms: 0,
    outputs: {},
    artifacts: [],
    ...overrides,
  };
}

/** Returns a failed execution with a clone step, a Run step with an output and a build step with two artifacts. */
export function failedExecution(overrides: Partial<wire.Execution__Output> = {}): wire.Execution__Output {
  return {
    id: 'exec-0001',
    pipeline: 'CI_Quickstart',
    org: 'default',
    project: 'kiln',
    sequence_id: 7,
    status: 'Failed',
    build_type: 'branch',
    build_value: 'main',
    commit_sha: '0123456789abcdef0123456789abcdef01234567',
    trigger: 'manual',
    created_at_ms: T0,
    started_at_ms: T0 + 1_000,
    finished_at_ms: T0 + 76_000,
    error_message: 'stage build failed',
    stages: [
      {
        id: 'build',
        name: 'Build',
        status: 'Failed',
        attempt: 1,
        task_id: 'task-1',
        delegate_id: 'dlg-1',
        delegate_name: 'local-1',
        reason: '',
        selectors: [],
        selector_connector: '',
        error_message: '',
        started_at_ms: T0 + 1_000,
        finished_at_ms: T0 + 76_000,
        steps: [
          step({
            id: 'git_clone', name: 'Clone codebase', type: 'GitClone', status: 'Succeeded',
            has_exit_code: true, started_at_ms: T0 + 1_000, finished_at_ms: T0 + 3_500,
          }),
          step({
            id: 'Run_tests', name: 'Run tests', status: 'Succeeded', has_exit_code: true,
            started_at_ms: T0 + 3_500, finished_at_ms: T0 + 15_000, outputs: { VERSION: '1.4.0' },
          }),
          step({
            id: 'Build_and_push', name: 'Build and push', type: 'BuildAndPushDockerRegistry', status: 'Failed',
            exit_code: 125, has_exit_code: true, error_code: 'REGISTRY_UNAUTHORIZED',
            error_message: 'registry 127.0.0.1:5000 rejected the credentials of connector local_registry',
            started_at_ms: T0 + 15_000, finished_at_ms: T0 + 76_000,
            artifacts: [
              { registry: 'http://127.0.0.1:5000', repository: 'kiln/app', tag: '7', digest: 'sha256:abc123', pushed: true },
              { registry: '127.0.0.1:5000', repository: 'kiln/app', tag: 'latest', digest: '', pushed: false },
            ],
          }),
        ],
      },
    ],
    ...overrides,
  };
}

/** Returns a registered delegate with one of two slots used. */
export function delegate(overrides: Partial<wire.Delegate__Output> = {}): wire.Delegate__Output {
  return {
    id: 'dlg-1',
    name: 'local-1',
    tags: ['local', 'linux'],
    version: '0.1.0',
    executor: 'local',
    builder: 'buildah',
    builder_version: '1.28.2',
    capacity: 2,
    slots_used: 1,
    state: 'connected',
    registered_at_ms: T0,
    last_heartbeat_ms: T0 + 55_000,
    ...overrides,
  };
}

/** Returns a log line of the build stage. */
export function logLine(overrides: Partial<wire.LogLine__Output> = {}): wire.LogLine__Output {
  return {
    stage_id: 'build',
    step_id: 'Build_and_push',
    attempt: 1,
    seq: 1,
    ts_ms: T0,
    stream: 'stdout',
    text: 'STEP 1/3: FROM busybox',
    incomplete: false,
    ...overrides,
  };
}
