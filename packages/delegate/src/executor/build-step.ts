import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { KilnError, type ArtifactRecord, type ConnectorRecord } from '@kiln/protocol';
import { pulledRegistries, type RegistryUse } from '../builders/build-checks.js';
import { assembleBaseRequest, type BuildSpec } from '../builders/request-assembly.js';
import type { BuildRequest } from '../builders/build-request.js';
import { parseImageReference } from '../builders/image-ref.js';
import { readPluginSettings } from '../builders/plugin-settings.js';
import { writeDockerConfigDir } from '../builders/registry-credentials.js';
import { planRegistries } from '../builders/registry-plan.js';
import { deriveStepTarget, type StepTarget } from '../builders/step-target.js';
import type { StepLog } from '../nats/step-log.js';
import { buildStepEnvironment } from './step-env.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';
import { fileSafe } from './workspace.js';


function connectorOf(ctx: TaskContext, ref: string, stepId: string): ConnectorRecord {
  const connector = ctx.payload.connectors[ref];
  if (connector === undefined) {
    throw new KilnError('CONNECTOR_NOT_FOUND', `step ${stepId}: connector "${ref}" was not sent with the task: apply a connector with that identifier (kiln apply -f)`, { details: { failureType: 'ConfigurationFailure' } });
  }
  return connector;
}

/** Lists the registries a build pushes to and pulls from, each with the reason, for the credential check. */
function registryUses(target: StepTarget, request: Pick<BuildRequest, 'noPush' | 'cache' | 'dockerfile' | 'buildArgs'>, log: StepLog): RegistryUse[] {
  const uses: RegistryUse[] = [];
  if (!request.noPush) uses.push({ host: target.registry, purpose: `push of ${target.registry}/${target.repository}` });
  if (request.cache !== undefined) uses.push({ host: request.cache.repository.split('/')[0] ?? '', purpose: `remote cache ${request.cache.repository}` });
  const pulls = pulledRegistries(request.dockerfile, request.buildArgs);
  for (const image of pulls.images) uses.push({ host: parseImageReference(image).host, purpose: `pull of base image ${image}` });
  for (const line of pulls.unresolved) log.system(`cannot check the credentials of "${line}" before the build: its image depends on a build argument without a value`);
  return uses;
}

/**
 * Turns the step spec, its connector, the delegate's registry settings and
 * the PLUGIN_* environment into a {@link BuildRequest}, running every check
 * before the build, and writes the docker config into `configDir`.
 */
async function prepareRequest(ctx: TaskContext, run: StepRun, spec: BuildSpec, log: StepLog, configDir: string): Promise<BuildRequest> {
  const connector = connectorOf(ctx, spec.connectorRef, run.stepId);
  const target = deriveStepTarget(run.step.type, spec, connector);
  const plugin = readPluginSettings(buildStepEnvironment(ctx, run.stepId, spec.envVariables ?? {}));
  for (const ignored of plugin.ignored) log.system(`ignored ${ignored}`);
  const base = assembleBaseRequest({ workspace: ctx.workspace, stepId: run.stepId, stepType: run.step.type, spec, target, plugin });
  if (base.tarPath !== undefined) await mkdir(path.dirname(base.tarPath), { recursive: true });
  const { settings } = ctx.builder;
  const plan = planRegistries({
    target, connector, uses: registryUses(target, base, log), plugin, registries: settings.registries,
    secrets: ctx.secrets, onSecret: (value) => ctx.masker.add(value), configFile: settings.configFile,
  });
  // Secret values among the helper environment (AWS keys) reached the masker through onSecret.
  const builderEnv = await writeDockerConfigDir(configDir, plan.credentials);
  ctx.logger.info({ stepId: run.stepId, builder: ctx.builder.name, registry: base.registry, repository: base.repository, credentialSources: plan.sources }, 'building image');
  return { ...base, registries: plan.transports, mirrors: plan.mirrors, dockerConfigDir: configDir, builderEnv, credentialSources: plan.sources };
}

/** Step outputs for later steps: `IMAGE`, `IMAGE_DIGEST`, `digest` (the kaniko plugin's name) and `IMAGE_TAR_PATH`. */
function buildOutputs(request: BuildRequest, artifacts: ArtifactRecord[]): Record<string, string> {
  const [first] = artifacts;
  const outputs: Record<string, string> = {
    IMAGE: first === undefined ? '' : `${first.registry}/${first.repository}:${first.tag}`,
    IMAGE_DIGEST: first?.digest ?? '',
    digest: first?.digest ?? '',
  };
  if (request.tarPath !== undefined) outputs.IMAGE_TAR_PATH = request.tarPath;
  return outputs;
}

/**
 * Runs a Build and Push step (DockerRegistry, ECR, GCR, GAR or ACR) through
 * the configured builder. The docker config with the registry credentials
 * exists only while the step runs.
 * @throws KilnError with the step's failure code and details.failureType (see ImageBuilder).
 */
export async function runBuildStep(ctx: TaskContext, run: StepRun, log: StepLog): Promise<StepOutcome> {
  const spec = ctx.expressions.deep(run.step.spec, `step ${run.stepId}`) as unknown as BuildSpec;
  const configDir = path.join(ctx.taskDir, `docker-${fileSafe(run.stepId)}`);
  try {
    const request = await prepareRequest(ctx, run, spec, log, configDir);
    const artifacts = await ctx.builder.build(request, {
      log, signal: ctx.signal, killGracePeriodMs: ctx.killGracePeriodMs, taskDir: ctx.taskDir,
      stepKey: fileSafe(run.stepId), mask: (text) => ctx.masker.mask(text),
    });
    return { status: 'Succeeded', artifacts, outputs: buildOutputs(request, artifacts) };
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
}
