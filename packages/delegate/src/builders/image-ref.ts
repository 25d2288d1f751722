import { KilnError } from '@kiln/protocol';

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
/** The key Docker Hub credentials must have in a docker config for kaniko (go-containerregistry) to find them. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const BRANCH_SUGGESTION = '<+codebase.branch.replace("/", "-")>';

export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host.toLowerCase());
}

/** Lowercases a registry host and maps Docker Hub's aliases to `docker.io`. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return isDockerHub(lower) ? 'docker.io' : lower;
}

/** A registry URL as a connector gives it: the host and whether it speaks plain HTTP. */
export interface RegistryAddress {
  host: string;
  insecure: boolean;
}

/**
 * Parses a DockerRegistry connector's `dockerRegistryUrl`. `http://` marks a
 * plain-HTTP registry; a URL without a scheme is taken as HTTPS. Docker Hub's
 * URLs (`https://index.docker.io/v1/`, `docker.io`) become `docker.io`.
 * @throws KilnError INVALID_ARGUMENT naming the connector when the URL is invalid.
 */
export function parseRegistryUrl(url: string, connectorRef: string): RegistryAddress {
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
  return { host: normalizeHost(parsed.host), insecure: parsed.protocol === 'http:' };
}

/** True when the first path component of an image name is a registry host (contains `.` or `:`, or is `localhost`). */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/**
 * Splits a repository reference into registry host and repository path. A
 * name whose first component is not a host belongs to `defaultHost`.
 */
export function splitRepository(name: string, defaultHost: string): { host: string; repository: string } {
  const [first, ...rest] = name.split('/');
  if (rest.length === 0 || first === undefined || !looksLikeHost(first)) return { host: defaultHost, repository: name };
  return { host: normalizeHost(first), repository: rest.join('/') };
}

/** A parsed image reference such as `host:5000/team/app:1.0@sha256:...`. */
export interface ImageReference {
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses an image reference with Docker's defaults: registry docker.io, `library/` for single-component names. */
export function parseImageReference(reference: string): ImageReference {
  const [withoutDigest = '', digest] = reference.split('@');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const split = splitRepository(name, 'docker.io');
  const repository = split.host === 'docker.io' && !split.repository.includes('/') ? `library/${split.repository}` : split.repository;
  const result: ImageReference = { host: split.host, repository };
  if (hasTag) result.tag = withoutDigest.slice(colon + 1);
  if (digest !== undefined) result.digest = digest;
  return result;
}

/** One invalid name found before a build, with the field it came from. */
export interface NameProblem {
  field: string;
  value: string;
  message: string;
}

/** Checks a repository path (without host) and every tag; returns all problems at once. */
export function checkNames(repository: string, tags: string[], repositoryField: string): NameProblem[] {
  const problems: NameProblem[] = [];
  if (!REPOSITORY.test(repository)) {
    problems.push({ field: repositoryField, value: repository, message: `repository "${repository}" (${repositoryField}) is invalid: use lowercase letters, digits and the separators . _ - /, e.g. team/app` });
  }
  if (tags.length === 0) problems.push({ field: 'tags', value: '', message: 'tags is empty: give at least one tag' });
  for (const tag of tags) {
    if (TAG.test(tag)) continue;
    const hint = tag.includes('/') ? `; a branch name with "/" cannot be a tag, use ${BRANCH_SUGGESTION}` : '';
    problems.push({ field: 'tags', value: tag, message: `tag "${tag}" is invalid: a tag has 1 to 128 letters, digits, "_", "." or "-" and does not start with "." or "-"${hint}` });
  }
  return problems;
}
