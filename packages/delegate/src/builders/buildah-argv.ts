import type { BuildRequest } from './build-request.js';
import { destinations } from './build-request.js';

/** Global buildah settings from the delegate config. */
export interface BuildahOptions {
  path: string;
  storageDriver: string;
  isolation: string;
  /** `--root`, `<workDir>/buildah/root`. */
  root: string;
  /** `--runroot`, `<workDir>/buildah/runroot`. */
  runroot: string;
}

/** Per-build files the buildah commands read, prepared in the task directory. */
export interface BuildahFiles {
  /** registries.conf with the per-registry `insecure` entries and docker.io mirrors. */
  registriesConf: string;
  /** Directory with the CA certificates of the build's registries (`*.crt`), when any registry has one. */
  certDir?: string;
}

function globalArgs(options: BuildahOptions, files: BuildahFiles): string[] {
  return ['--storage-driver', options.storageDriver, '--root', options.root, '--runroot', options.runroot, '--registries-conf', files.registriesConf];
}

function pairs(flag: string, values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => [flag, `${key}=${value}`]);
}

function transferArgs(request: BuildRequest, files: BuildahFiles): string[] {
  const args = ['--authfile', `${request.dockerConfigDir}/config.json`, '--retry', String(request.pushRetry)];
  if (files.certDir !== undefined) args.push('--cert-dir', files.certDir);
  return args;
}

/**
 * Renders `buildah bud` with flags pinned so that the image matches a kaniko
 * build: docker manifest format, no buildah identity label, stage skipping
 * as the request says, each label and build arg as one argument (values may
 * hold spaces, `=`, commas or quotes), `--layers` with the remote cache, the
 * context last. Per-registry plain HTTP and TLS settings come from the
 * registries.conf file; `--tls-verify=false` only for the blanket
 * PLUGIN_SKIP_TLS_VERIFY_PULL or PLUGIN_INSECURE_PULL.
 */
export function renderBudArgs(request: BuildRequest, options: BuildahOptions, files: BuildahFiles): string[] {
  const args = [...globalArgs(options, files), 'bud', '--isolation', options.isolation, '--format', 'docker', '--identity-label=false'];
  args.push(`--skip-unused-stages=${request.skipUnusedStages}`, ...transferArgs(request, files), '-f', request.dockerfile);
  for (const destination of destinations(request)) args.push('-t', destination);
  args.push(...pairs('--label', request.labels), ...pairs('--build-arg', request.buildArgs));
  if (request.target !== undefined) args.push('--target', request.target);
  if (request.cache !== undefined) {
    args.push('--layers', '--cache-from', request.cache.repository, '--cache-to', request.cache.repository);
    if (request.cache.ttl !== undefined) args.push('--cache-ttl', request.cache.ttl);
  }
  if (request.platform !== undefined) args.push('--platform', request.platform);
  if (request.kanikoPassthrough.includes('--reproducible=true')) args.push('--timestamp', '0');
  if (request.transportFlags.skipTlsVerifyPull || request.transportFlags.insecurePull) args.push('--tls-verify=false');
  args.push(request.context);
  return args;
}

/** Renders `buildah push` of one destination, writing the pushed manifest digest to `digestFile`. */
export function renderPushArgs(request: BuildRequest, destination: string, digestFile: string, options: BuildahOptions, files: BuildahFiles): string[] {
  const args = [...globalArgs(options, files), 'push', ...transferArgs(request, files), '--digestfile', digestFile];
  if (request.transportFlags.skipTlsVerify || request.transportFlags.insecure) args.push('--tls-verify=false');
  args.push(destination, `docker://${destination}`);
  return args;
}

/** Renders `buildah push` of the image into a docker-archive tarball that `docker load` accepts. */
export function renderTarArgs(request: BuildRequest, tarPath: string, options: BuildahOptions, files: BuildahFiles): string[] {
  const [first = ''] = destinations(request);
  return [...globalArgs(options, files), 'push', first, `docker-archive:${tarPath}:${first}`];
}

/** Renders `buildah rmi --force` of every local name of the build, so images do not pile up in the delegate's storage. */
export function renderRemoveArgs(request: BuildRequest, options: BuildahOptions, files: BuildahFiles): string[] {
  return [...globalArgs(options, files), 'rmi', '--force', ...destinations(request)];
}

/** Formats argv for the step log as a `+ ` command line, quoting arguments that a shell would split. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return `+ ${[command, ...args].map(quote).join(' ')}`;
}
