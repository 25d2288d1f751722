import { KilnError } from '@kiln/protocol';

/** A registry as a build pod reaches it: `host[:port]`, and whether it speaks plain HTTP. */
export interface RegistryTarget {
  host: string;
  insecure: boolean;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** The key kaniko looks up for Docker Hub credentials in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host);
}

/**
 * Parses a DockerRegistry connector's `dockerRegistryUrl`: `http://` marks a plain-HTTP registry, no scheme means HTTPS.
 * @throws KilnError INVALID_ARGUMENT naming the connector.
 */
export function registryOfConnector(url: string, connectorRef: string): RegistryTarget {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connectorRef}" has an invalid dockerRegistryUrl "${url}": expected e.g. https://registry.example.com or http://registry.local:5000`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connectorRef}" has dockerRegistryUrl "${url}" with scheme ${parsed.protocol}: expected http:// or https://`);
  }
  return { host: isDockerHub(parsed.hostname) ? 'docker.io' : parsed.host, insecure: parsed.protocol === 'http:' };
}

/** Splits a step's `repo`: a first component with `.` or `:` (or `localhost`) names its own registry, else the connector's registry is used. */
export function splitRepo(repo: string, connectorRegistry: RegistryTarget): { registry: RegistryTarget; repository: string } {
  const [first, ...rest] = repo.split('/');
  const hasHost = rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) return { registry: connectorRegistry, repository: repo };
  const host = isDockerHub(first) ? 'docker.io' : first;
  return { registry: { host, insecure: host === connectorRegistry.host && connectorRegistry.insecure }, repository: rest.join('/') };
}

/** @throws KilnError INVALID_ARGUMENT naming the step and the first invalid tag or the repository. */
export function checkNames(repository: string, tags: string[], stepId: string): void {
  if (!REPOSITORY.test(repository)) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: repository "${repository}" is invalid: use lowercase letters, digits and separators (. _ - /), e.g. team/app`);
  }
  if (tags.length === 0) throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: tags is empty: give at least one tag`);
  const invalid = tags.find((tag) => !TAG.test(tag));
  if (invalid !== undefined) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: tag "${invalid}" is invalid: a tag has up to 128 letters, digits, '_', '.' or '-' and does not start with '.' or '-'`);
  }
}

/** Docker config JSON for kaniko: the registry's credentials, and Docker Hub also under the v1 key kaniko looks up. */
export function dockerConfigJson(host: string, credential: { username: string; password: string } | undefined): string {
  const auths: Record<string, { auth: string }> = {};
  if (credential !== undefined) {
    const auth = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
    auths[host] = { auth };
    if (isDockerHub(host)) auths[DOCKER_HUB_AUTH_KEY] = { auth };
  }
  return JSON.stringify({ auths });
}
