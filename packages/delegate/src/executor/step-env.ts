import type { TaskContext } from './task-context.js';

const BUILD_EVENTS: Record<string, string> = { tag: 'tag', PR: 'pull_request' };

/**
 * Builds a step's environment: PATH and HOME of the delegate, the CI build
 * variables, the stage variables (PLUGIN_* settings included, as in Harness),
 * then the step's own envVariables, later ones overriding earlier ones.
 */
export function buildStepEnvironment(ctx: TaskContext, stepId: string, stepEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, buildVariables(ctx, stepId), ctx.stageVariables, stepEnv);
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}

function buildVariables(ctx: TaskContext, stepId: string): Record<string, string> {
  const { payload, state } = ctx;
  const codebase = payload.codebase;
  const sha = state.codebase.commitSha ?? '';
  const vars: Record<string, string> = {
    CI: 'true',
    HARNESS_ORG_ID: payload.pipeline.orgIdentifier,
    HARNESS_PROJECT_ID: payload.pipeline.projectIdentifier,
    HARNESS_PIPELINE_ID: payload.pipeline.identifier,
    HARNESS_BUILD_ID: String(payload.pipeline.sequenceId),
    HARNESS_EXECUTION_ID: payload.executionId,
    HARNESS_STAGE_ID: payload.stage.identifier,
    HARNESS_STEP_ID: stepId,
    HARNESS_WORKSPACE: ctx.workspace,
    CI_BUILD_NUMBER: String(payload.pipeline.sequenceId),
    CI_WORKSPACE: ctx.workspace,
    DRONE_BUILD_NUMBER: String(payload.pipeline.sequenceId),
    DRONE_WORKSPACE: ctx.workspace,
  };
  if (codebase !== undefined) {
    vars.CI_REPO_REMOTE = codebase.repoUrl;
    vars.DRONE_REMOTE_URL = codebase.repoUrl;
    vars.CI_BUILD_EVENT = BUILD_EVENTS[codebase.build.type] ?? 'push';
  }
  if (sha !== '') Object.assign(vars, { CI_COMMIT_SHA: sha, DRONE_COMMIT_SHA: sha, DRONE_COMMIT: sha });
  if (state.codebase.branch !== undefined) Object.assign(vars, { CI_COMMIT_BRANCH: state.codebase.branch, DRONE_COMMIT_BRANCH: state.codebase.branch, DRONE_BRANCH: state.codebase.branch });
  if (state.codebase.tag !== undefined) Object.assign(vars, { CI_COMMIT_TAG: state.codebase.tag, DRONE_TAG: state.codebase.tag });
  return vars;
}
