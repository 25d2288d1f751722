import { destinations, type BuildRequest } from './build-request.js';

/** Files the delegate reads after a kaniko build. */
export interface KanikoOutputFiles {
  /** `--digest-file`: the manifest digest, one for every destination. */
  digestFile: string;
  /** `--image-name-tag-with-digest-file`: one `host/repo:tag@sha256:...` line per destination. */
  imageNameTagDigestFile: string;
}

function pairs(flag: string, values: Record<string, string>): string[] {
  return Object.entries(values).map(([key, value]) => `${flag}=${key}=${value}`);
}

function transportArgs(request: BuildRequest): string[] {
  const args: string[] = [];
  const { transportFlags } = request;
  if (transportFlags.skipTlsVerify) args.push('--skip-tls-verify=true');
  if (transportFlags.skipTlsVerifyPull) args.push('--skip-tls-verify-pull=true');
  if (transportFlags.insecure) args.push('--insecure');
  if (transportFlags.insecurePull) args.push('--insecure-pull');
  for (const registry of request.registries) {
    if (registry.insecure) args.push(`--insecure-registry=${registry.host}`);
    if (registry.skipTlsVerify) args.push(`--skip-tls-verify-registry=${registry.host}`);
    if (registry.caFile !== undefined) args.push(`--registry-certificate=${registry.host}=${registry.caFile}`);
  }
  return args;
}

/**
 * Renders kaniko executor argv the way the kaniko plugin maps a Build and
 * Push step: one `--destination` per tag (only when pushing or writing a
 * tarball), `--context=dir://`, one `--label` and `--build-arg` per entry,
 * `--skip-unused-stages` with a target, `--snapshot-mode=redo` for optimize,
 * the remote cache, per-registry transport flags, mirrors, platform, push
 * retries, the digest files, then the PLUGIN_* pass-through flags.
 */
export function renderKanikoArgs(request: BuildRequest, files: KanikoOutputFiles): string[] {
  const args = [`--dockerfile=${request.dockerfile}`, `--context=dir://${request.context}`];
  if (!request.noPush || request.tarPath !== undefined) {
    for (const destination of destinations(request)) args.push(`--destination=${destination}`);
  }
  if (request.snapshotMode !== undefined) args.push(`--snapshot-mode=${request.snapshotMode}`);
  args.push(`--digest-file=${files.digestFile}`);
  if (!request.kanikoPassthrough.some((flag) => flag.startsWith('--image-name-tag-with-digest-file='))) {
    args.push(`--image-name-tag-with-digest-file=${files.imageNameTagDigestFile}`);
  }
  args.push(...pairs('--label', request.labels), ...pairs('--build-arg', request.buildArgs));
  if (request.target !== undefined) args.push(`--target=${request.target}`);
  if (request.skipUnusedStages) args.push('--skip-unused-stages=true');
  if (request.cache !== undefined) {
    args.push('--cache=true', `--cache-repo=${request.cache.repository}`);
    if (request.cache.ttl !== undefined) args.push(`--cache-ttl=${request.cache.ttl}`);
  }
  if (request.noPush) args.push('--no-push');
  if (request.tarPath !== undefined) args.push(`--tar-path=${request.tarPath}`);
  args.push(...transportArgs(request));
  for (const mirror of request.mirrors) args.push(`--registry-mirror=${mirror}`);
  if (request.platform !== undefined) args.push(`--custom-platform=${request.platform}`);
  if (request.pushRetry > 0) args.push(`--push-retry=${request.pushRetry}`);
  args.push(...request.kanikoPassthrough);
  return args;
}

/** Returns the image-name-tag-with-digest file kaniko writes: the user's PLUGIN_ setting or the delegate's own. */
export function imageNameTagDigestFileOf(request: BuildRequest, files: KanikoOutputFiles): string {
  const flag = request.kanikoPassthrough.find((value) => value.startsWith('--image-name-tag-with-digest-file='));
  return flag === undefined ? files.imageNameTagDigestFile : flag.slice(flag.indexOf('=') + 1);
}
