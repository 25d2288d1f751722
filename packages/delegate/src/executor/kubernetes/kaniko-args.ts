import { formatCommandLine } from '../../builders/buildah-argv.js';
import type { RegistryTarget } from './registry-target.js';

/** One kaniko build as the pod runs it; paths are inside the pod's workspace. */
export interface KanikoBuild {
  registry: RegistryTarget;
  repository: string;
  tags: string[];
  /** Absolute Dockerfile path in the pod. */
  dockerfile: string;
  /** Absolute context directory in the pod. */
  context: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  target?: string;
  noPush: boolean;
  /** `optimize` of the step (default true): snapshot mode redo, as Harness sets it on Kubernetes. */
  optimize: boolean;
  /** Registry repository for kaniko's layer cache (`remoteCacheRepo`). */
  cacheRepo?: string;
  /** Source of the credentials for error messages, never the secret. */
  credentialSource: string;
}

export const KANIKO_EXECUTOR = '/kaniko/executor';

/**
 * Renders the kaniko executor arguments: one --destination per tag, the digest
 * written to the termination log (where the delegate reads it), and the
 * parity defaults of Harness's kaniko plugin (push and pull retries, text logs,
 * unused stages skipped). A plain-HTTP registry gets --insecure-registry.
 */
export function renderKanikoArgs(build: KanikoBuild): string[] {
  const args = [`--dockerfile=${build.dockerfile}`, `--context=dir://${build.context}`];
  for (const tag of build.tags) args.push(`--destination=${build.registry.host}/${build.repository}:${tag}`);
  if (build.noPush) args.push('--no-push');
  for (const [key, value] of Object.entries(build.labels)) args.push(`--label=${key}=${value}`);
  for (const [key, value] of Object.entries(build.buildArgs)) args.push(`--build-arg=${key}=${value}`);
  if (build.target !== undefined) args.push(`--target=${build.target}`);
  if (build.optimize) args.push('--snapshot-mode=redo');
  if (build.cacheRepo !== undefined) args.push('--cache=true', `--cache-repo=${build.cacheRepo}`);
  if (build.registry.insecure) args.push(`--insecure-registry=${build.registry.host}`);
  args.push('--digest-file=/dev/termination-log', '--push-retry=3', '--image-download-retry=3', '--log-format=text', '--skip-unused-stages');
  return args;
}

/** The command line shown as the first line of the step log. */
export function kanikoCommandLine(args: string[]): string {
  return formatCommandLine(KANIKO_EXECUTOR, args);
}
