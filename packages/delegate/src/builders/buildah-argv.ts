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

function globalArgs(options: BuildahOptions): string[] {
  return ['--storage-driver', options.storageDriver, '--root', options.root, '--runroot', options.runroot];
}

function pairs(flag: string, values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => [flag, `${key}=${value}`]);
}

/**
 * Renders `buildah bud`: one `-t` per destination, labels and build args as
 * one argument each (values may hold spaces or commas), `--tls-verify=false`
 * for a plain-HTTP registry, the context last. The auth file is passed so
 * that base images can be pulled from the same private registry.
 */
export function renderBudArgs(request: BuildRequest, options: BuildahOptions): string[] {
  const args = [...globalArgs(options), 'bud', '--isolation', options.isolation, '--format', 'docker', '--authfile', request.authFile, '-f', request.dockerfile];
  for (const destination of destinations(request)) args.push('-t', destination);
  args.push(...pairs('--label', request.labels), ...pairs('--build-arg', request.buildArgs));
  if (request.target !== undefined && request.target !== '') args.push('--target', request.target);
  if (request.registry.insecure) args.push('--tls-verify=false');
  args.push(request.context);
  return args;
}

/** Renders `buildah push` of one destination, writing the pushed manifest digest to `digestFile`. */
export function renderPushArgs(request: BuildRequest, destination: string, digestFile: string, options: BuildahOptions): string[] {
  const args = [...globalArgs(options), 'push', '--authfile', request.authFile, '--digestfile', digestFile];
  if (request.registry.insecure) args.push('--tls-verify=false');
  args.push(destination, `docker://${destination}`);
  return args;
}

/** Renders `buildah rmi --force` of every local name of the build, so images do not pile up in the delegate's storage. */
export function renderRemoveArgs(request: BuildRequest, options: BuildahOptions): string[] {
  return [...globalArgs(options), 'rmi', '--force', ...destinations(request)];
}

/** Formats argv for the step log as a `+ ` command line, quoting arguments that a shell would split. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return `+ ${[command, ...args].map(quote).join(' ')}`;
}
