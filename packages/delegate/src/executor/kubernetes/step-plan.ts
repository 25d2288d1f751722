import path from 'node:path';
import type { V1Container, V1Secret } from '@kubernetes/client-node';
import type { BuildAndPushDockerRegistrySpec, RunStepSpec, Stage, Step, StepNode } from '@kiln/pipeline';
import { KilnError, type ErrorRecord, type TaskPayload } from '@kiln/protocol';
import { resolveRegistryCredential } from '../../builders/registry-auth.js';
import { parseDuration } from '../../config/duration.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import type { ExpressionResolver } from '../expressions.js';
import { errorRecord, outcomeFromError } from '../step-outcome.js';
import { buildVariables, EnvSecret, WORKSPACE } from './container-env.js';
import { kanikoContainer, runContainer, VARIABLE_NAME } from './containers.js';
import type { PodInfrastructure } from './infrastructure.js';
import { parseResources } from './infrastructure.js';
import { kanikoCommandLine, renderKanikoArgs, type KanikoBuild } from './kaniko-args.js';
import { checkNames, dockerConfigJson, registryOfConnector, splitRepo } from './registry-target.js';

export type StepKind = 'clone' | 'run' | 'build';

/** A step as the pod runs it: its init container, or the error that stops the stage when the step is reached. */
export interface PlannedStep {
  stepId: string;
  name: string;
  type: string;
  kind: StepKind;
  containerName: string;
  container?: V1Container;
  error?: ErrorRecord;
  outputNames: string[];
  build?: KanikoBuild & { commandLine: string };
  /** docker config Secret of a build step, mounted at /kaniko/.docker. */
  dockerSecret?: V1Secret;
  timeoutMs?: number;
}

/** What planning a step needs from its task. */
export interface PlanContext {
  payload: TaskPayload<Stage>;
  podName: string;
  secrets: SecretStore;
  mask: (text: string) => string;
  addSecret: (value: string) => void;
  expressions: ExpressionResolver;
  stageVariables: Record<string, string>;
  codebase: { branch?: string; tag?: string; commitSha?: string };
  infrastructure: PodInfrastructure;
  envSecret: EnvSecret;
  kanikoImage: string;
  labels: Record<string, string>;
}

const SHELLS: Record<string, string> = { sh: 'sh', bash: 'bash' };

/** Flattens step nodes in run order; a step group prefixes ids with `<groupId>/`. Parallel steps run one after another in a pod. */
export function flattenSteps(nodes: StepNode[], prefix = ''): { stepId: string; step: Step }[] {
  return nodes.flatMap((node) => {
    if (node.kind === 'step') return [{ stepId: `${prefix}${node.step.identifier}`, step: node.step }];
    if (node.kind === 'parallel') return flattenSteps(node.nodes, prefix);
    return flattenSteps(node.group.steps, `${prefix}${node.group.identifier}/`);
  });
}

/**
 * Rejects delegate-side expressions that only exist once earlier containers ran:
 * the pod spec, and so every step's command and arguments, is fixed when the pod is created.
 */
function checkDeferredExpressions(step: Step, stepId: string, commitKnown: boolean): void {
  const text = JSON.stringify(step.spec);
  const outputs = /<\+[^>]*\bsteps\.[^>]*output/.exec(text);
  if (outputs !== null) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: ${outputs[0]}...> reads another step's output, which the kubernetes executor cannot pass between containers yet: write the value to a file in the workspace instead`);
  }
  if (!commitKnown && /<\+[^>]*\bcodebase\.(short)?[cC]ommitSha/.test(text)) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: <+codebase.commitSha> is known only after the clone on the kubernetes executor: use $DRONE_COMMIT_SHA in a Run step's command, or run with --commit`);
  }
}

function stepEnvironment(ctx: PlanContext, stepId: string, stepEnv: Record<string, string> | undefined): Record<string, string> {
  return { ...buildVariables(ctx.payload, stepId, ctx.codebase), ...ctx.stageVariables, ...ctx.infrastructure.envVariables, ...(stepEnv ?? {}) };
}

function stepTimeout(step: Step, stepId: string): number | undefined {
  if (step.timeout === undefined) return undefined;
  const ms = parseDuration(step.timeout);
  if (ms === undefined) throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: timeout "${step.timeout}" is not a duration such as 30s, 10m or 1h`);
  return ms;
}

function planRun(ctx: PlanContext, planned: PlannedStep, step: Step): void {
  const spec = ctx.expressions.deep(step.spec, `step ${planned.stepId}`) as unknown as RunStepSpec & { resources?: unknown; runAsUser?: number; imagePullPolicy?: string };
  if (spec.image === undefined || spec.image === '') {
    throw new KilnError('INVALID_ARGUMENT', `step ${planned.stepId}: a Run step needs an image on the kubernetes executor: set spec.image, e.g. busybox:1.36`);
  }
  const shell = SHELLS[(spec.shell ?? 'Sh').toLowerCase()];
  if (shell === undefined) throw new KilnError('INVALID_ARGUMENT', `step ${planned.stepId}: shell "${spec.shell}" is not supported: use Sh or Bash`);
  planned.outputNames = (spec.outputVariables ?? []).map((variable) => variable.name);
  const badName = planned.outputNames.find((name) => !VARIABLE_NAME.test(name));
  if (badName !== undefined) throw new KilnError('INVALID_ARGUMENT', `step ${planned.stepId}: output variable "${badName}" is not a shell variable name`);
  const env = ctx.envSecret.envVars(planned.containerName, stepEnvironment(ctx, planned.stepId, spec.envVariables));
  env.push(ctx.envSecret.envVar(planned.containerName, 'KILN_STEP_COMMAND', spec.command));
  const base = {
    name: planned.containerName, env, extraMounts: ctx.infrastructure.volumes.map((volume) => volume.mount),
    resources: parseResources(spec.resources, `step ${planned.stepId} resources`) ?? ctx.infrastructure.resources,
    runAsUser: spec.runAsUser ?? ctx.infrastructure.runAsUser, imagePullPolicy: spec.imagePullPolicy,
  };
  planned.container = runContainer(spec.image, shell, planned.outputNames, base);
}

/** Resolves a path of the step relative to the pod's workspace; `..` segments and absolute paths are rejected. */
function podPath(value: string, field: string): string {
  if (path.posix.isAbsolute(value) || value.split(/[\\/]+/).includes('..')) {
    throw new KilnError('PATH_OUTSIDE_WORKSPACE', `${field} "${value}" leaves the workspace: give a path relative to the repository root, without ".." segments`);
  }
  return path.posix.join(WORKSPACE, value);
}

function planBuild(ctx: PlanContext, planned: PlannedStep, step: Step): void {
  const spec = ctx.expressions.deep(step.spec, `step ${planned.stepId}`) as unknown as BuildAndPushDockerRegistrySpec & { envVariables?: Record<string, string>; resources?: unknown };
  const connector = ctx.payload.connectors[spec.connectorRef];
  if (connector === undefined || connector.type !== 'DockerRegistry') {
    throw new KilnError('CONNECTOR_NOT_FOUND', `step ${planned.stepId}: DockerRegistry connector "${spec.connectorRef}" was not sent with the task: apply it with kiln apply -f`);
  }
  const registryUrl = connector.spec.dockerRegistryUrl;
  if (typeof registryUrl !== 'string') throw new KilnError('INVALID_ARGUMENT', `connector "${connector.ref}" has no spec.dockerRegistryUrl`);
  const { registry, repository } = splitRepo(spec.repo, registryOfConnector(registryUrl, connector.ref));
  const tags = spec.tags.map((tag) => String(tag).trim());
  checkNames(repository, tags, planned.stepId);
  const env = stepEnvironment(ctx, planned.stepId, spec.envVariables);
  const credential = resolveRegistryCredential(connector, ctx.secrets, ctx.addSecret);
  const build: KanikoBuild = {
    registry, repository, tags, dockerfile: podPath(spec.dockerfile ?? 'Dockerfile', 'dockerfile'), context: podPath(spec.context ?? '.', 'context'),
    labels: spec.labels ?? {}, buildArgs: spec.buildArgs ?? {}, noPush: env.PLUGIN_NO_PUSH?.trim().toLowerCase() === 'true',
    optimize: spec.optimize !== false, credentialSource: credential.source,
  };
  if (spec.target !== undefined && spec.target !== '') build.target = spec.target;
  if (spec.remoteCacheRepo !== undefined && spec.remoteCacheRepo !== '') build.cacheRepo = spec.remoteCacheRepo;
  const args = renderKanikoArgs(build);
  planned.build = { ...build, commandLine: kanikoCommandLine(args) };
  const secretName = `${ctx.podName}-docker-${planned.containerName}`;
  planned.dockerSecret = {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: secretName, namespace: ctx.infrastructure.namespace, labels: ctx.labels },
    stringData: { 'config.json': dockerConfigJson(registry.host, credential.credential) },
  };
  const base = {
    name: planned.containerName, env: ctx.envSecret.envVars(planned.containerName, env), extraMounts: ctx.infrastructure.volumes.map((volume) => volume.mount),
    resources: parseResources(spec.resources, `step ${planned.stepId} resources`) ?? ctx.infrastructure.resources,
  };
  planned.container = kanikoContainer(ctx.kanikoImage, args, secretName, base);
}

/**
 * Plans the stage's steps as init containers `step-1`, `step-2`, ... in run
 * order. A step that cannot be prepared (unsupported type, missing secret or
 * image) keeps its error and gets no container, and neither do the steps
 * after it: the pod runs up to it, then the step fails and the rest are skipped.
 */
export function planSteps(ctx: PlanContext): PlannedStep[] {
  let blocked = false;
  return flattenSteps(ctx.payload.stage.spec.execution.steps).map(({ stepId, step }, index) => {
    const kind: StepKind = step.type === 'Run' ? 'run' : 'build';
    const planned: PlannedStep = { stepId, name: step.name, type: step.type, kind, containerName: `step-${index + 1}`, outputNames: [] };
    if (blocked) return planned;
    try {
      const timeoutMs = stepTimeout(step, stepId);
      if (timeoutMs !== undefined) planned.timeoutMs = timeoutMs;
      checkDeferredExpressions(step, stepId, ctx.codebase.commitSha !== undefined);
      if (step.type === 'Run') planRun(ctx, planned, step);
      else if (step.type === 'BuildAndPushDockerRegistry') planBuild(ctx, planned, step);
      else throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: type ${step.type} is not supported by the kubernetes executor yet (supported: Run, BuildAndPushDockerRegistry)`);
    } catch (error) {
      planned.error = outcomeFromError(error, false, ctx.mask).error ?? errorRecord('INTERNAL', String(error), ctx.mask);
      blocked = true;
    }
    return planned;
  });
}
