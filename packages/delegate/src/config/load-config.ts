import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { KilnError, isSubjectToken } from '@kiln/protocol';
import { parseDocument } from 'yaml';
import { ConfigReader, type RawValue } from './config-reader.js';
import { readRegistries } from './registries-config.js';
import { checkPlaintext, readManagerTls, readNatsAuth } from './security-config.js';
import {
  LOG_LEVELS,
  type BuilderConfig,
  type DelegateConfig,
  type DelegateFlags,
  type KubernetesConfig,
  type SecretSource,
} from './delegate-config.js';

const TOP_LEVEL_KEYS = [
  'manager', 'token', 'tokenFile', 'name', 'tags', 'capacity', 'workDir', 'healthListen', 'nats', 'builder',
  'secrets', 'logLevel', 'drainTimeout', 'killGracePeriod', 'keepFailedWorkspaces', 'executor', 'kubernetes', 'registries',
  'tls', 'allowPlaintext',
] as const;
const BUILDER_KEYS = ['type', 'path', 'kanikoPath', 'storageDriver', 'isolation'] as const;
const BUILDER_TYPES = ['kaniko', 'buildah', 'auto'] as const;
/** Executors this delegate version runs. */
const EXECUTOR_TYPES = ['local', 'kubernetes'] as const;
const NATS_KEYS = ['servers', 'user', 'passwordFile'] as const;
const KUBERNETES_KEYS = ['namespace', 'kubeconfig', 'kanikoImage', 'cloneImage', 'initTimeout'] as const;
const SECRET_KINDS = ['value', 'file', 'env'] as const;

export const TOKEN_ENV = 'KILN_DELEGATE_TOKEN';

/** Inputs of {@link loadDelegateConfig}; `readFile` is injectable for tests. */
export interface ConfigSources {
  flags: DelegateFlags;
  env: Record<string, string | undefined>;
  readFile?: (file: string) => string;
}

type FileValues = Record<string, unknown>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(problems: string[], file: string | undefined): KilnError {
  const where = file === undefined ? 'delegate settings' : `delegate config ${file}`;
  return new KilnError('INVALID_ARGUMENT', `invalid ${where}:\n  ${problems.join('\n  ')}`, { details: { problems } });
}

function readConfigFile(file: string, readFile: (file: string) => string): FileValues {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw configError([`cannot read config file ${file}: ${reason}; pass an existing YAML file to --config`], file);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw configError(document.errors.map((error) => `${file}: ${error.message}`), file);
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) throw configError([`${file}: expected a YAML mapping of settings at the top level`], file);
  return value;
}

function checkKeys(values: FileValues, known: readonly string[], prefix: string, file: string, problems: string[]): void {
  for (const key of Object.keys(values)) {
    if (!known.includes(key)) {
      problems.push(`unknown key "${prefix}${key}" in ${file}: known keys are ${known.join(', ')}`);
    }
  }
}

/** Picks the flag when given, else the file key, so that flags override the file. */
function pick(flag: string | undefined, flagName: string, values: FileValues, key: string, file: string | undefined): RawValue | undefined {
  if (flag !== undefined) return { value: flag, origin: { kind: 'flag', flag: flagName } };
  const [head, tail] = key.split('.');
  const container = tail === undefined ? values : values[head ?? ''];
  const value = tail === undefined ? values[key] : isMapping(container) ? container[tail] : undefined;
  if (value === undefined || value === null || file === undefined) return undefined;
  return { value, origin: { kind: 'file', key, file } };
}

interface TokenValue {
  token: string;
  /** Where the token came from, e.g. `key "token" in d.yaml`. */
  source: string;
}

function readToken(reader: ConfigReader, values: FileValues, file: string | undefined, sources: ConfigSources, readFile: (file: string) => string): TokenValue | undefined {
  const token = reader.string(pick(undefined, '', values, 'token', file));
  const tokenFileRaw = pick(undefined, '', values, 'tokenFile', file);
  const tokenFile = reader.string(tokenFileRaw);
  if (token !== undefined && tokenFile !== undefined) {
    reader.problems.push(`both "token" and "tokenFile" are set in ${file}: keep one of them`);
    return undefined;
  }
  if (token !== undefined) return { token, source: `key "token" in ${file}` };
  if (tokenFile !== undefined && file !== undefined) {
    const tokenPath = path.resolve(path.dirname(file), tokenFile);
    try {
      const fromFile = readFile(tokenPath).trim();
      if (fromFile !== '') return { token: fromFile, source: `token file ${tokenPath} (key "tokenFile" in ${file})` };
      reader.problems.push(`token file ${tokenPath} (key "tokenFile" in ${file}) is empty`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      reader.problems.push(`cannot read token file ${tokenPath} (key "tokenFile" in ${file}): ${reason}`);
    }
    return undefined;
  }
  const fromEnv = sources.env[TOKEN_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, source: `environment variable ${TOKEN_ENV}` };
  reader.problems.push(`missing delegate token: set "token" or "tokenFile" in the config file or the environment variable ${TOKEN_ENV}`);
  return undefined;
}

function readSecret(reader: ConfigReader, ref: string, value: unknown, file: string): SecretSource | undefined {
  const where = `secret "${ref}" in ${file}`;
  if (!isMapping(value)) {
    reader.problems.push(`invalid ${where}: expected a mapping with one of ${SECRET_KINDS.join(', ')}`);
    return undefined;
  }
  const kinds = Object.keys(value);
  const kind = kinds[0];
  const text = kind === undefined ? undefined : value[kind];
  if (kinds.length !== 1 || !(SECRET_KINDS as readonly string[]).includes(kind ?? '') || typeof text !== 'string') {
    reader.problems.push(`invalid ${where}: expected exactly one of ${SECRET_KINDS.join(', ')} with a string value, e.g. { value: s3cret }, { file: /path } or { env: NAME }`);
    return undefined;
  }
  if (kind === 'file') return { file: path.resolve(path.dirname(file), text) };
  return kind === 'env' ? { env: text } : { value: text };
}

function readSecrets(reader: ConfigReader, values: FileValues, file: string | undefined): Record<string, SecretSource> {
  const raw = values.secrets;
  const secrets: Record<string, SecretSource> = {};
  if (raw === undefined || raw === null || file === undefined) return secrets;
  if (!isMapping(raw)) {
    reader.problems.push(`invalid key "secrets" in ${file}: expected a mapping from secret reference to { value | file | env }`);
    return secrets;
  }
  for (const [ref, value] of Object.entries(raw)) {
    const source = readSecret(reader, ref, value, file);
    if (source !== undefined) secrets[ref] = source;
  }
  return secrets;
}

function readBuilder(reader: ConfigReader, values: FileValues, file: string | undefined): BuilderConfig {
  const builder = values.builder;
  if (builder !== undefined && file !== undefined && !isMapping(builder)) {
    reader.problems.push(`invalid key "builder" in ${file}: expected a mapping with ${BUILDER_KEYS.join(', ')}`);
  } else if (isMapping(builder) && file !== undefined) {
    checkKeys(builder, BUILDER_KEYS, 'builder.', file, reader.problems);
  }
  return {
    type: reader.oneOf(pick(undefined, '', values, 'builder.type', file), BUILDER_TYPES) ?? 'buildah',
    path: reader.string(pick(undefined, '', values, 'builder.path', file)) ?? 'buildah',
    kanikoPath: reader.string(pick(undefined, '', values, 'builder.kanikoPath', file)) ?? '/kaniko/executor',
    storageDriver: reader.string(pick(undefined, '', values, 'builder.storageDriver', file)) ?? 'vfs',
    isolation: reader.oneOf(pick(undefined, '', values, 'builder.isolation', file), ['chroot', 'oci', 'rootless'] as const) ?? 'chroot',
  };
}

function readKubernetes(reader: ConfigReader, values: FileValues, file: string | undefined): KubernetesConfig {
  const section = values.kubernetes;
  if (section !== undefined && file !== undefined && !isMapping(section)) {
    reader.problems.push(`invalid key "kubernetes" in ${file}: expected a mapping with ${KUBERNETES_KEYS.join(', ')}`);
    return {};
  }
  if (isMapping(section) && file !== undefined) checkKeys(section, KUBERNETES_KEYS, 'kubernetes.', file, reader.problems);
  const kubeconfig = reader.string(pick(undefined, '', values, 'kubernetes.kubeconfig', file));
  return {
    namespace: reader.string(pick(undefined, '', values, 'kubernetes.namespace', file)),
    kubeconfig: kubeconfig === undefined || file === undefined ? kubeconfig : path.resolve(path.dirname(file), kubeconfig),
    kanikoImage: reader.string(pick(undefined, '', values, 'kubernetes.kanikoImage', file)),
    cloneImage: reader.string(pick(undefined, '', values, 'kubernetes.cloneImage', file)),
    initTimeoutMs: reader.duration(pick(undefined, '', values, 'kubernetes.initTimeout', file)),
  };
}

function readNatsServers(reader: ConfigReader, values: FileValues, file: string | undefined): string[] | undefined {
  const nats = values.nats;
  if (nats !== undefined && file !== undefined && !isMapping(nats)) {
    reader.problems.push(`invalid key "nats" in ${file}: expected a mapping such as { servers: nats://127.0.0.1:4222 }`);
    return undefined;
  }
  if (isMapping(nats) && file !== undefined) checkKeys(nats, NATS_KEYS, 'nats.', file, reader.problems);
  const servers = reader.stringList(pick(undefined, '', values, 'nats.servers', file));
  return servers === undefined || servers.length === 0 ? undefined : servers;
}

/**
 * Reads the delegate name, which names its control subject `kiln.control.<name>`, so it must be one NATS subject token.
 * The default is the host name up to its first '.', with spaces, '*' and '>' replaced by '-'.
 */
function readName(reader: ConfigReader, raw: RawValue | undefined): string {
  const name = reader.string(raw);
  if (raw === undefined || name === undefined) return hostname().split('.')[0]?.replace(/[\s*>]/g, '-') || 'kiln-delegate';
  if (!isSubjectToken(name)) reader.invalid(raw, "a name without spaces, '.', '*' or '>' (it becomes the NATS subject token of kiln.control.<name>)");
  return name;
}

/**
 * Merges the config file, flags and environment into one validated
 * {@link DelegateConfig}. Flags override file keys.
 * @throws KilnError INVALID_ARGUMENT listing every invalid key or flag, each with its file or flag and the expected form.
 */
export function loadDelegateConfig(sources: ConfigSources): DelegateConfig {
  const readFile = sources.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  const { flags } = sources;
  const file = flags.config === undefined ? undefined : path.resolve(flags.config);
  const values = file === undefined ? {} : readConfigFile(file, readFile);
  const reader = new ConfigReader();
  if (file !== undefined) checkKeys(values, TOP_LEVEL_KEYS, '', file, reader.problems);

  const workDir = reader.string(pick(flags.workDir, '--work-dir', values, 'workDir', file));
  const manager = reader.hostPort(pick(flags.manager, '--manager', values, 'manager', file));
  const token = readToken(reader, values, file, sources, readFile);
  const config: DelegateConfig = {
    manager: manager === undefined ? '127.0.0.1:7443' : `${manager.host.includes(':') ? `[${manager.host}]` : manager.host}:${manager.port}`,
    token: token?.token ?? '',
    tokenSource: token?.source ?? '',
    name: readName(reader, pick(flags.name, '--name', values, 'name', file)),
    tags: reader.stringList(pick(flags.tags, '--tags', values, 'tags', file)) ?? [],
    capacity: reader.positiveInteger(pick(flags.capacity, '--capacity', values, 'capacity', file)) ?? 1,
    workDir: path.resolve(workDir ?? '/var/lib/kiln-delegate'),
    healthListen: reader.hostPort(pick(flags.healthListen, '--health-listen', values, 'healthListen', file)) ?? { host: '127.0.0.1', port: 3460 },
    executor: reader.oneOf(pick(undefined, '', values, 'executor', file), EXECUTOR_TYPES) ?? 'local',
    kubernetes: readKubernetes(reader, values, file),
    builder: readBuilder(reader, values, file),
    registries: readRegistries(reader, values.registries, file),
    secrets: readSecrets(reader, values, file),
    logLevel: reader.oneOf(pick(flags.logLevel, '--log-level', values, 'logLevel', file), LOG_LEVELS) ?? 'info',
    drainTimeoutMs: reader.duration(pick(undefined, '', values, 'drainTimeout', file)) ?? 5 * 60_000,
    killGracePeriodMs: reader.duration(pick(undefined, '', values, 'killGracePeriod', file)) ?? 10_000,
    keepFailedWorkspaces: reader.boolean(pick(undefined, '', values, 'keepFailedWorkspaces', file)) ?? false,
    allowPlaintext: reader.boolean(pick(undefined, '', values, 'allowPlaintext', file)) ?? false,
  };
  const tls = readManagerTls(reader, values, file, readFile);
  if (tls !== undefined) config.tls = tls;
  checkPlaintext(reader, config.manager, tls, config.allowPlaintext, file);
  const natsAuth = readNatsAuth(reader, values, file, readFile);
  if (natsAuth !== undefined) config.natsAuth = natsAuth;
  const natsServers = readNatsServers(reader, values, file);
  if (natsServers !== undefined) config.natsServers = natsServers;
  if (file !== undefined) config.configFile = file;
  if (reader.problems.length > 0) throw configError(reader.problems, file);
  return config;
}
