import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BuildAndPushDockerRegistrySpec } from '@kiln/pipeline';
import { KilnError } from '@kiln/protocol';
import { parseRegistryUrl, splitRepo, validateNames, type BuildRequest } from '../builders/build-request.js';
import { resolveRegistryCredential, writeDockerConfig } from '../builders/registry-auth.js';
import { resolveInWorkspace } from '../builders/workspace-path.js';
import type { StepLog } from '../nats/step-log.js';
import { buildStepEnvironment } from './step-env.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';
import { fileSafe } from './workspace.js';

type BuildSpec = BuildAndPushDockerRegistrySpec & { envVariables?: Record<string, string> };

function connectorOf(ctx: TaskContext, ref: string, stepId: string): TaskContext['payload']['connectors'][string] {
  const connector = ctx.payload.connectors[ref];
  if (connector === undefined) {
    throw new KilnError('CONNECTOR_NOT_FOUND', `step ${stepId}: connector "${ref}" was not sent with the task: apply a DockerRegistry connector with that identifier (kiln apply -f)`);
  }
  if (connector.type !== 'DockerRegistry') {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: connector "${ref}" has type ${connector.type}: a BuildAndPushDockerRegistry step needs a DockerRegistry connector`);
  }
  return connector;
}

function workspacePaths(ctx: TaskContext, spec: BuildSpec): { dockerfile: string; context: string } {
  const dockerfileValue = spec.dockerfile ?? 'Dockerfile';
  const dockerfile = resolveInWorkspace(ctx.workspace, dockerfileValue, 'dockerfile');
  const context = resolveInWorkspace(ctx.workspace, spec.context ?? '.', 'context');
  if (!existsSync(dockerfile)) {
    throw new KilnError('INVALID_ARGUMENT', `dockerfile "${dockerfileValue}" was not found in the workspace ${ctx.workspace}: give its path relative to the repository root`);
  }
  if (!existsSync(context)) {
    throw new KilnError('INVALID_ARGUMENT', `context "${spec.context ?? '.'}" was not found in the workspace ${ctx.workspace}`);
  }
  return { dockerfile, context };
}

/** Turns the step spec, its connector and the step environment into a {@link BuildRequest} and writes the auth file. */
async function prepareRequest(ctx: TaskContext, run: StepRun, spec: BuildSpec, log: StepLog): Promise<BuildRequest> {
  const connector = connectorOf(ctx, spec.connectorRef, run.stepId);
  const registryUrl = connector.spec.dockerRegistryUrl;
  if (typeof registryUrl !== 'string') {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connector.ref}" has no spec.dockerRegistryUrl`);
  }
  const { registry, repository } = splitRepo(spec.repo, parseRegistryUrl(registryUrl, connector.ref));
  const tags = spec.tags.map((tag) => String(tag).trim());
  validateNames(repository, tags, run.stepId);
  const env = buildStepEnvironment(ctx, run.stepId, spec.envVariables ?? {});
  if (spec.remoteCacheRepo !== undefined && spec.remoteCacheRepo !== '') {
    log.system(`remoteCacheRepo ${spec.remoteCacheRepo} is ignored: the buildah builder does not use a remote layer cache yet`);
  }
  const credential = resolveRegistryCredential(connector, ctx.secrets, (value) => ctx.masker.add(value));
  const authFile = path.join(ctx.taskDir, `auth-${fileSafe(run.stepId)}.json`);
  await writeDockerConfig(authFile, registry.host, credential.credential);
  const request: BuildRequest = {
    registry, repository, tags, ...workspacePaths(ctx, spec),
    labels: spec.labels ?? {}, buildArgs: spec.buildArgs ?? {},
    noPush: env.PLUGIN_NO_PUSH?.trim().toLowerCase() === 'true',
    authFile, credentialSource: credential.source,
  };
  if (spec.target !== undefined && spec.target !== '') request.target = spec.target;
  return request;
}

/**
 * Runs a BuildAndPushDockerRegistry step through the configured builder. The
 * registry auth file exists only while the build runs.
 * @throws KilnError with the step's failure code (see ImageBuilder).
 */
export async function runBuildStep(ctx: TaskContext, run: StepRun, log: StepLog): Promise<StepOutcome> {
  const spec = ctx.expressions.deep(run.step.spec, `step ${run.stepId}`) as unknown as BuildSpec;
  const authFile = path.join(ctx.taskDir, `auth-${fileSafe(run.stepId)}.json`);
  try {
    const request = await prepareRequest(ctx, run, spec, log);
    const artifacts = await ctx.builder.build(request, {
      log, signal: ctx.signal, killGracePeriodMs: ctx.killGracePeriodMs, taskDir: ctx.taskDir,
      stepKey: fileSafe(run.stepId), mask: (text) => ctx.masker.mask(text),
    });
    return { status: 'Succeeded', artifacts };
  } finally {
    await rm(authFile, { force: true });
  }
}
