import { delegate, failedExecution, logLine, T0 } from '../testing/fixtures.js';
import { formatDelegateTable } from './delegates.js';
import { formatArtifact, formatExecution, formatExecutionTable } from './execution.js';
import { formatLogLine } from './log-line.js';

describe('formatExecution', () => {
  describe('when an execution failed in a build step', () => {
    const lines = formatExecution(failedExecution(), T0 + 100_000);

    it('prints the header fields', () => {
      expect(lines.slice(0, 12)).toEqual([
        'Execution:  exec-0001',
        'Pipeline:   default/kiln/CI_Quickstart',
        'Build ID:   7',
        'Status:     Failed',
        'Branch:     main',
        'Commit:     0123456789abcdef0123456789abcdef01234567',
        'Trigger:    manual',
        'Created:    2025-01-02 03:04:05Z',
        'Started:    2025-01-02 03:04:06Z',
        'Finished:   2025-01-02 03:05:21Z',
        'Duration:   1m 15s',
        'Error:      stage build failed',
      ]);
    });

    it('prints the stage with its delegate and a step table', () => {
      expect(lines.slice(12, 19)).toEqual([
        '',
        'Stage Build (build): Failed',
        '  delegate local-1, attempt 1, duration 1m 15s',
        '  STEP            NAME            TYPE                        STATUS     DURATION  EXIT',
        '  git_clone       Clone codebase  GitClone                    Succeeded  2s        0',
        '  Run_tests       Run tests       Run                         Succeeded  11s       0',
        '  Build_and_push  Build and push  BuildAndPushDockerRegistry  Failed     1m 01s    125',
      ]);
    });

    it('lists step errors, outputs and artifacts after the table', () => {
      expect(lines.slice(19)).toEqual([
        '  Run_tests: output VERSION=1.4.0',
        '  Build_and_push: error [REGISTRY_UNAUTHORIZED]: registry 127.0.0.1:5000 rejected the credentials of connector local_registry',
        '  Build_and_push: artifact 127.0.0.1:5000/kiln/app:7@sha256:abc123 (pushed)',
        '  Build_and_push: artifact 127.0.0.1:5000/kiln/app:latest (not pushed)',
      ]);
    });
  });

  describe('when a stage waits for a delegate', () => {
    it('prints the reason and no step table', () => {
      const execution = failedExecution({
        status: 'Queued', build_type: 'tag', build_value: 'v1', started_at_ms: 0, finished_at_ms: 0, error_message: '',
      });
      const stage = execution.stages[0];
      if (stage === undefined) throw new Error('fixture has a stage');
      execution.stages = [{
        ...stage, status: 'Queued', delegate_name: '', delegate_id: '', reason: 'no_matching_delegate',
        selectors: ['gpu'], selector_connector: 'account.k8s', started_at_ms: 0, finished_at_ms: 0, steps: [],
      }];
      const lines = formatExecution(execution, T0);
      expect(lines).toContain('Tag:        v1');
      expect(lines).toContain('Started:    -');
      expect(lines).toContain('  delegate -, attempt 1, duration -');
      expect(lines.at(-1)).toBe('  waiting for a delegate: no connected delegate has the tags [gpu] that connector account.k8s selects');
    });

    it('says no delegate is connected when the stage has no selectors', () => {
      const execution = failedExecution({ status: 'Queued', started_at_ms: 0, finished_at_ms: 0 });
      const stage = execution.stages[0];
      if (stage === undefined) throw new Error('fixture has a stage');
      execution.stages = [{ ...stage, status: 'Queued', reason: 'no_matching_delegate', steps: [] }];
      expect(formatExecution(execution, T0).at(-1)).toBe('  waiting for a delegate: no delegate is connected');
    });
  });

  describe('when a step still runs', () => {
    it('shows the elapsed time so far', () => {
      const execution = failedExecution({ status: 'Running', finished_at_ms: 0 });
      const lines = formatExecution(execution, T0 + 31_000);
      expect(lines).toContain('Duration:   running 30s');
    });
  });
});

describe('formatArtifact', () => {
  it('strips the scheme and keeps the digest', () => {
    expect(formatArtifact({ registry: 'https://reg.example/', repository: 'team/app', tag: '1', digest: 'sha256:f', pushed: true }))
      .toBe('reg.example/team/app:1@sha256:f (pushed)');
  });
});

describe('formatExecutionTable', () => {
  it('sorts newest first', () => {
    const older = failedExecution({ id: 'exec-old', sequence_id: 6, created_at_ms: T0 - 60_000 });
    const newer = failedExecution({ id: 'exec-new', sequence_id: 8, status: 'Succeeded', build_type: 'tag', build_value: 'v2', created_at_ms: T0 + 60_000 });
    const lines = formatExecutionTable([older, newer], T0 + 200_000);
    expect(lines).toEqual([
      'PIPELINE                    BUILD ID  STATUS     REF          CREATED               DURATION  EXECUTION',
      'default/kiln/CI_Quickstart  8         Succeeded  tag v2       2025-01-02 03:05:05Z  1m 15s    exec-new',
      'default/kiln/CI_Quickstart  6         Failed     branch main  2025-01-02 03:03:05Z  1m 15s    exec-old',
    ]);
  });

  it('says so when there are none', () => {
    expect(formatExecutionTable([], T0)).toEqual(['No executions found.']);
  });
});

describe('formatDelegateTable', () => {
  it('shows tags, slots, builder and heartbeat age', () => {
    const lines = formatDelegateTable([delegate(), delegate({ id: 'dlg-0', name: 'edge', tags: [], builder: '', builder_version: '', last_heartbeat_ms: 0, state: 'lost' })], T0 + 60_000);
    expect(lines).toEqual([
      'ID     NAME     TAGS         STATE      SLOTS  BUILDER         VERSION  LAST HEARTBEAT',
      'dlg-0  edge     -            lost       1/2    -               0.1.0    never',
      'dlg-1  local-1  local,linux  connected  1/2    buildah 1.28.2  0.1.0    5s ago',
    ]);
  });
});

describe('formatLogLine', () => {
  it('prefixes the step id', () => {
    expect(formatLogLine(logLine())).toBe('[Build_and_push] STEP 1/3: FROM busybox');
  });

  it('uses the stage id for a stage-level line', () => {
    expect(formatLogLine(logLine({ step_id: '', text: 'waiting for a delegate' }))).toBe('[build] waiting for a delegate');
  });

  it('names the attempt of a retried stage', () => {
    expect(formatLogLine(logLine({ attempt: 2 }))).toBe('[Build_and_push attempt 2] STEP 1/3: FROM busybox');
  });

  it('marks an incomplete step log', () => {
    expect(formatLogLine(logLine({ incomplete: true, text: 'lines 5 to 9 are missing' })))
      .toBe('[Build_and_push] !!! log incomplete: lines 5 to 9 are missing');
  });
});
