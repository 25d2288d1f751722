import path from 'node:path';
import type { ConfigReader } from './config-reader.js';
import type { RegistryAuthConfig, RegistryConfig } from './delegate-config.js';

const REGISTRY_KEYS = ['auth', 'credHelper', 'ca', 'insecure', 'skipTlsVerify', 'anonymous', 'mirrors'] as const;
const AUTH_KEYS = ['username', 'usernameRef', 'passwordRef'] as const;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-f:]+\](?::\d{1,5})?$/i;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], prefix: string, file: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`unknown key "${prefix}${key}" in ${file}: known keys are ${known.join(', ')}`);
  }
}

function readAuth(reader: ConfigReader, value: unknown, prefix: string, file: string): RegistryAuthConfig | undefined {
  if (!isMapping(value)) {
    reader.problems.push(`invalid key "${prefix}" in ${file}: expected { username: NAME, passwordRef: SECRET_REF } (the password itself goes under "secrets:")`);
    return undefined;
  }
  unknownKeys(value, AUTH_KEYS, `${prefix}.`, file, reader.problems);
  const field = (key: string): string | undefined => reader.string(value[key] === undefined ? undefined : { value: value[key], origin: { kind: 'file', key: `${prefix}.${key}`, file } });
  const passwordRef = field('passwordRef');
  const username = field('username');
  const usernameRef = field('usernameRef');
  if (passwordRef === undefined || (username === undefined && usernameRef === undefined)) {
    reader.problems.push(`invalid key "${prefix}" in ${file}: set "passwordRef" and one of "username" or "usernameRef"`);
    return undefined;
  }
  const auth: RegistryAuthConfig = { passwordRef };
  if (username !== undefined) auth.username = username;
  if (usernameRef !== undefined) auth.usernameRef = usernameRef;
  return auth;
}

function readRegistry(reader: ConfigReader, host: string, value: unknown, file: string): RegistryConfig | undefined {
  const prefix = `registries.${host}`;
  if (!HOST.test(host)) {
    reader.problems.push(`invalid registry "${host}" under "registries" in ${file}: expected host[:port] without a scheme, e.g. registry.example.com:5000 or docker.io`);
    return undefined;
  }
  const entry = value === null ? {} : value;
  if (!isMapping(entry)) {
    reader.problems.push(`invalid key "${prefix}" in ${file}: expected a mapping with ${REGISTRY_KEYS.join(', ')}`);
    return undefined;
  }
  unknownKeys(entry, REGISTRY_KEYS, `${prefix}.`, file, reader.problems);
  const raw = (key: string) => (entry[key] === undefined ? undefined : { value: entry[key], origin: { kind: 'file' as const, key: `${prefix}.${key}`, file } });
  const registry: RegistryConfig = {
    insecure: reader.boolean(raw('insecure')) ?? false,
    skipTlsVerify: reader.boolean(raw('skipTlsVerify')) ?? false,
    anonymous: reader.boolean(raw('anonymous')) ?? false,
    mirrors: reader.stringList(raw('mirrors')) ?? [],
  };
  if (entry.auth !== undefined) {
    const auth = readAuth(reader, entry.auth, `${prefix}.auth`, file);
    if (auth !== undefined) registry.auth = auth;
  }
  const credHelper = reader.string(raw('credHelper'));
  if (credHelper !== undefined) registry.credHelper = credHelper.replace(/^docker-credential-/, '');
  if (registry.auth !== undefined && credHelper !== undefined) {
    reader.problems.push(`both "auth" and "credHelper" are set for registry ${host} in ${file}: keep one of them`);
  }
  const ca = reader.string(raw('ca'));
  if (ca !== undefined) registry.ca = path.resolve(path.dirname(file), ca);
  return registry;
}

/**
 * Reads `registries:`, a mapping from `host[:port]` to its credentials and
 * transport settings. Relative `ca` paths are resolved against the config
 * file's directory. Problems go to `reader.problems`.
 */
export function readRegistries(reader: ConfigReader, value: unknown, file: string | undefined): Record<string, RegistryConfig> {
  const registries: Record<string, RegistryConfig> = {};
  if (value === undefined || value === null || file === undefined) return registries;
  if (!isMapping(value)) {
    reader.problems.push(`invalid key "registries" in ${file}: expected a mapping from registry host to { auth, credHelper, ca, insecure, skipTlsVerify, anonymous, mirrors }`);
    return registries;
  }
  for (const [host, entry] of Object.entries(value)) {
    const registry = readRegistry(reader, host.toLowerCase(), entry, file);
    if (registry !== undefined) registries[host.toLowerCase()] = registry;
  }
  return registries;
}
