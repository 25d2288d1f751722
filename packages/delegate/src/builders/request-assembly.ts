import type { BuildAndPushCommonSpec } from '@kiln/pipeline';
import { checkBuildPaths, checkImageNames } from './build-checks.js';
import type { BuildRequest } from './build-request.js';
import { expandTags, type PluginSettings } from './plugin-settings.js';
import type { BuildTargetSpec, StepTarget } from './step-target.js';
import { resolveInWorkspace } from './workspace-path.js';

/** The fields of any Build and Push step spec. */
export type BuildSpec = BuildAndPushCommonSpec & BuildTargetSpec;

/** A build request before registries and credentials are resolved. */
export type BaseRequest = Omit<BuildRequest, 'registries' | 'mirrors' | 'dockerConfigDir' | 'builderEnv' | 'credentialSources'>;

/** Default retries of each push after a transient failure (kaniko `--push-retry`, buildah `--retry`). */
export const DEFAULT_PUSH_RETRY = 3;

export interface AssemblyInput {
  workspace: string;
  stepId: string;
  stepType: string;
  spec: BuildSpec;
  target: StepTarget;
  plugin: PluginSettings;
}

function cacheOf(target: StepTarget, plugin: PluginSettings): BuildRequest['cache'] {
  const repository = target.cache ?? (plugin.enableCache === true ? plugin.cacheRepo : undefined);
  if (repository === undefined) return undefined;
  return plugin.cacheTtl === undefined ? { repository } : { repository, ttl: plugin.cacheTtl };
}

/**
 * Builds the request without registries and credentials from the step spec,
 * its registry target and the PLUGIN_* settings, checking names and paths.
 * @throws KilnError INVALID_ARGUMENT or PATH_OUTSIDE_WORKSPACE.
 */
export function assembleBaseRequest(input: AssemblyInput): BaseRequest {
  const { spec, target, plugin } = input;
  const rawTags = (spec.tags ?? []).map((tag) => String(tag).trim());
  const tags = plugin.expandTag ? expandTags(rawTags) : rawTags;
  const cache = cacheOf(target, plugin);
  checkImageNames(input.stepId, target.repository, tags, target.repositoryField, cache?.repository);
  const paths = checkBuildPaths(input.workspace, spec.dockerfile ?? 'Dockerfile', spec.context ?? '.');
  const request: BaseRequest = {
    stepType: input.stepType, registry: target.registry, repository: target.repository, tags, workspace: input.workspace, ...paths,
    labels: { ...plugin.labels, ...(spec.labels ?? {}) }, buildArgs: { ...plugin.buildArgs, ...(spec.buildArgs ?? {}) },
    skipUnusedStages: plugin.skipUnusedStages ?? (spec.target !== undefined && spec.target !== ''),
    noPush: plugin.noPush, pushRetry: plugin.pushRetry ?? DEFAULT_PUSH_RETRY, kanikoPassthrough: plugin.kanikoPassthrough,
    transportFlags: { skipTlsVerify: plugin.skipTlsVerify, skipTlsVerifyPull: plugin.skipTlsVerifyPull, insecure: plugin.insecure, insecurePull: plugin.insecurePull },
  };
  if (spec.target !== undefined && spec.target !== '') request.target = spec.target;
  const snapshotMode = plugin.snapshotMode ?? (spec.optimize === false ? undefined : 'redo');
  if (snapshotMode !== undefined) request.snapshotMode = snapshotMode;
  if (cache !== undefined) request.cache = cache;
  if (plugin.platform !== undefined) request.platform = plugin.platform;
  if (plugin.tarPath !== undefined) request.tarPath = resolveInWorkspace(input.workspace, plugin.tarPath, 'PLUGIN_TAR_PATH');
  return request;
}

