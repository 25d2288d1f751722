import type { V1EnvVar } from '@kubernetes/client-node';
import type { Stage } from '@kiln/pipeline';
import type { TaskPayload } from '@kiln/protocol';
import type { SecretMasker } from '../../secrets/secret-masker.js';

/** Mount path of the shared workspace emptyDir in every container, as in Harness build pods. */
export const WORKSPACE = '/harness';
/** Mount path of the emptyDir where the clone container leaves the commit for later steps. */
export const KILN_DIR = '/kiln';

const BUILD_EVENTS: Record<string, string> = { tag: 'tag', PR: 'pull_request' };

/**
 * Collects the environment values that contain a secret into the task's env
 * Secret, so that the pod spec refers to them with `secretKeyRef` and never
 * holds the value. A value counts as secret when the task's masker changes it.
 */
export class EnvSecret {
  readonly data: Record<string, string> = {};

  constructor(readonly name: string, private readonly masker: SecretMasker) {}

  envVar(container: string, name: string, value: string): V1EnvVar {
    if (this.masker.mask(value) === value) return { name, value };
    const key = `${container}.${Object.keys(this.data).length + 1}`;
    this.data[key] = value;
    return { name, valueFrom: { secretKeyRef: { name: this.name, key } } };
  }

  envVars(container: string, values: Record<string, string>): V1EnvVar[] {
    return Object.entries(values).map(([name, value]) => this.envVar(container, name, value));
  }
}

/** Returns the CI build variables of a step inside the pod. The commit variables come from the clone container at run time. */
export function buildVariables(payload: TaskPayload<Stage>, stepId: string, codebase: { branch?: string; tag?: string }): Record<string, string> {
  const vars: Record<string, string> = {
    CI: 'true',
    HARNESS_ORG_ID: payload.pipeline.orgIdentifier,
    HARNESS_PROJECT_ID: payload.pipeline.projectIdentifier,
    HARNESS_PIPELINE_ID: payload.pipeline.identifier,
    HARNESS_BUILD_ID: String(payload.pipeline.sequenceId),
    HARNESS_EXECUTION_ID: payload.executionId,
    HARNESS_STAGE_ID: payload.stage.identifier,
    HARNESS_STEP_ID: stepId,
    HARNESS_WORKSPACE: WORKSPACE,
    CI_BUILD_NUMBER: String(payload.pipeline.sequenceId),
    CI_WORKSPACE: WORKSPACE,
    DRONE_BUILD_NUMBER: String(payload.pipeline.sequenceId),
    DRONE_WORKSPACE: WORKSPACE,
  };
  const repo = payload.codebase;
  if (repo !== undefined) {
    Object.assign(vars, { CI_REPO_REMOTE: repo.repoUrl, DRONE_REMOTE_URL: repo.repoUrl, CI_BUILD_EVENT: BUILD_EVENTS[repo.build.type] ?? 'push' });
  }
  if (codebase.branch !== undefined) Object.assign(vars, { CI_COMMIT_BRANCH: codebase.branch, DRONE_COMMIT_BRANCH: codebase.branch, DRONE_BRANCH: codebase.branch });
  if (codebase.tag !== undefined) Object.assign(vars, { CI_COMMIT_TAG: codebase.tag, DRONE_TAG: codebase.tag });
  return vars;
}
