import { KilnError } from '@kiln/protocol';

/** A registry as a build reaches it: `host[:port]`, and whether it speaks plain HTTP. */
export interface RegistryTarget {
  host: string;
  insecure: boolean;
}

/**
 * One image build, independent of the builder: it renders to buildah argv
 * today and to kaniko flags later. Paths are absolute and already checked to
 * stay inside the workspace.
 */
export interface BuildRequest {
  registry: RegistryTarget;
  /** Repository path without the registry host, e.g. `team/app`. */
  repository: string;
  tags: string[];
  dockerfile: string;
  context: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  target?: string;
  /** Build only: no push, and artifacts are reported with `pushed: false`. */
  noPush: boolean;
  /** Docker config JSON with the registry credentials (empty `auths` for anonymous access). */
  authFile: string;
  /** Source of the credentials for error messages (connector and secret reference), never the secret itself. */
  credentialSource: string;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host);
}

/**
 * Parses a DockerRegistry connector's `dockerRegistryUrl`. `http://` marks a
 * plain-HTTP registry; a URL without a scheme is taken as HTTPS.
 * @throws KilnError INVALID_ARGUMENT naming the connector when the URL is invalid.
 */
export function parseRegistryUrl(url: string, connectorRef: string): RegistryTarget {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connectorRef}" has an invalid dockerRegistryUrl "${url}": expected e.g. https://registry.example.com or http://127.0.0.1:5000`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connectorRef}" has dockerRegistryUrl "${url}" with scheme ${parsed.protocol}: expected http:// or https://`);
  }
  const host = isDockerHub(parsed.hostname) ? 'docker.io' : parsed.host;
  return { host, insecure: parsed.protocol === 'http:' };
}

/**
 * Splits a step's `repo` into registry and repository. A repo whose first
 * component looks like a host (contains `.` or `:`, or is `localhost`) names its own registry. Any other repo goes to the connector's registry.
 */
export function splitRepo(repo: string, connectorRegistry: RegistryTarget): { registry: RegistryTarget; repository: string } {
  const [first, ...rest] = repo.split('/');
  const hasHost = rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) return { registry: connectorRegistry, repository: repo };
  const host = isDockerHub(first) ? 'docker.io' : first;
  const insecure = host === connectorRegistry.host ? connectorRegistry.insecure : false;
  return { registry: { host, insecure }, repository: rest.join('/') };
}

/** @throws KilnError INVALID_ARGUMENT naming the first invalid tag or the repository. */
export function validateNames(repository: string, tags: string[], stepId: string): void {
  if (!REPOSITORY.test(repository)) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: repository "${repository}" is invalid: use lowercase letters, digits and separators (. _ - /), e.g. team/app`);
  }
  if (tags.length === 0) throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: tags is empty: give at least one tag`);
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: tag "${tag}" is invalid: a tag has up to 128 letters, digits, '_', '.' or '-' and does not start with '.' or '-' (replace '/' in branch names, e.g. <+codebase.branch.replace("/", "-")>)`);
    }
  }
}

/** `host/repository:tag` for each tag. */
export function destinations(request: Pick<BuildRequest, 'registry' | 'repository' | 'tags'>): string[] {
  return request.tags.map((tag) => `${request.registry.host}/${request.repository}:${tag}`);
}
