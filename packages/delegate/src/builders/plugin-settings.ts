import { KilnError } from '@kiln/protocol';

/**
 * Build settings that the original product's kaniko plugin reads from
 * `PLUGIN_*` environment variables (stage variables or the step's
 * envVariables), parsed once before the build.
 */
export interface PluginSettings {
  noPush: boolean;
  tarPath?: string;
  skipTlsVerify: boolean;
  skipTlsVerifyPull: boolean;
  skipTlsVerifyRegistries: string[];
  insecure: boolean;
  insecurePull: boolean;
  insecureRegistries: string[];
  mirrors: string[];
  /** `host` -> CA file, from `host=path` items. */
  registryCertificates: Record<string, string>;
  platform?: string;
  skipUnusedStages?: boolean;
  pushRetry?: number;
  snapshotMode?: string;
  enableCache?: boolean;
  cacheRepo?: string;
  cacheTtl?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  expandTag: boolean;
  /** kaniko flags passed through unchanged, e.g. `--verbosity=debug`. */
  kanikoPassthrough: string[];
  /** PLUGIN_* names that were set but have no effect here, with the reason. */
  ignored: string[];
}

type Kind = 'bool' | 'value' | 'list';

/** PLUGIN_<NAME> settings passed to the kaniko executor as the flag of the same name. */
const PASSTHROUGH: Record<string, Kind> = {
  SINGLE_SNAPSHOT: 'bool', USE_NEW_RUN: 'bool', REPRODUCIBLE: 'bool', CLEANUP: 'bool', FORCE: 'bool',
  SKIP_PUSH_PERMISSION_CHECK: 'bool', SKIP_DEFAULT_REGISTRY_FALLBACK: 'bool', CACHE_COPY_LAYERS: 'bool',
  CACHE_RUN_LAYERS: 'bool', COMPRESSED_CACHING: 'bool', IGNORE_VAR_RUN: 'bool', LOG_TIMESTAMP: 'bool',
  VERBOSITY: 'value', LOG_FORMAT: 'value', IMAGE_DOWNLOAD_RETRY: 'value', IMAGE_FS_EXTRACT_RETRY: 'value',
  CONTEXT_SUB_PATH: 'value', OCI_LAYOUT_PATH: 'value', IMAGE_NAME_WITH_DIGEST_FILE: 'value',
  IMAGE_NAME_TAG_WITH_DIGEST_FILE: 'value', CACHE_DIR: 'value', REGISTRY_CLIENT_CERT: 'value',
  IGNORE_PATH: 'list', IGNORE_PATHS: 'list',
};

/** Settings the step spec or the connector already provides in kiln. */
const FROM_STEP_SPEC = ['REGISTRY', 'REPO', 'TAGS', 'DOCKERFILE', 'CONTEXT', 'TARGET', 'USERNAME', 'PASSWORD', 'ARTIFACT_FILE', 'EXPAND_REPO', 'DAEMON_OFF', 'MULTIPLE_BUILD_ARGS'];
const UNSUPPORTED: Record<string, string> = {
  PUSH_ONLY: 'pushing a prebuilt tarball is not supported: remove PLUGIN_PUSH_ONLY and let the step build the image',
  SOURCE_TAR_PATH: 'pushing a prebuilt tarball is not supported: remove PLUGIN_SOURCE_TAR_PATH',
  AUTO_TAG: 'automatic tags are not supported: list the tags in the step\'s tags field',
  CONFIG: 'a raw docker config is not accepted from the pipeline: configure registry credentials on the connector or under "registries:" in the delegate config',
};

/** Parses the settings; the caller merges them into the build request. */
class PluginReader {
  readonly settings: PluginSettings = {
    noPush: false, skipTlsVerify: false, skipTlsVerifyPull: false, skipTlsVerifyRegistries: [], insecure: false,
    insecurePull: false, insecureRegistries: [], mirrors: [], registryCertificates: {}, buildArgs: {}, labels: {},
    expandTag: false, kanikoPassthrough: [], ignored: [],
  };

  constructor(private readonly env: Record<string, string>) {}

  value(name: string): string | undefined {
    const value = this.env[`PLUGIN_${name}`]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  bool(name: string): boolean | undefined {
    const value = this.value(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new KilnError('INVALID_ARGUMENT', `PLUGIN_${name} is "${this.value(name) ?? ''}": expected true or false`, { details: { failureType: 'ConfigurationFailure' } });
  }

  integer(name: string): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (/^\d+$/.test(value)) return Number(value);
    throw new KilnError('INVALID_ARGUMENT', `PLUGIN_${name} is "${value}": expected a non-negative whole number`, { details: { failureType: 'ConfigurationFailure' } });
  }

  list(name: string, separator = ','): string[] {
    return (this.value(name) ?? '').split(separator).map((item) => item.trim()).filter((item) => item !== '');
  }

  pairs(name: string, separator: string): Record<string, string> {
    const result: Record<string, string> = {};
    for (const item of this.list(name, separator)) {
      const equals = item.indexOf('=');
      if (equals <= 0) throw new KilnError('INVALID_ARGUMENT', `PLUGIN_${name} item "${item}" is not KEY=VALUE`, { details: { failureType: 'ConfigurationFailure' } });
      result[item.slice(0, equals)] = item.slice(equals + 1);
    }
    return result;
  }
}

function readTransport(reader: PluginReader, settings: PluginSettings): void {
  settings.skipTlsVerify = reader.bool('SKIP_TLS_VERIFY') ?? false;
  settings.skipTlsVerifyPull = reader.bool('SKIP_TLS_VERIFY_PULL') ?? false;
  // The original emits a bare --skip-tls-verify-registry for "true"; a host list is what kaniko expects.
  settings.skipTlsVerifyRegistries = reader.list('SKIP_TLS_VERIFY_REGISTRY').filter((item) => item.toLowerCase() !== 'true');
  settings.insecure = reader.bool('INSECURE') ?? false;
  settings.insecurePull = reader.bool('INSECURE_PULL') ?? false;
  settings.insecureRegistries = reader.list('INSECURE_REGISTRY');
  settings.mirrors = reader.list('REGISTRY_MIRRORS');
  settings.registryCertificates = reader.pairs('REGISTRY_CERTIFICATE', ',');
}

function readBuild(reader: PluginReader, settings: PluginSettings): void {
  settings.noPush = reader.bool('NO_PUSH') ?? false;
  const tarPath = reader.value('TAR_PATH') ?? reader.value('DESTINATION_TAR_PATH');
  if (tarPath !== undefined) settings.tarPath = tarPath;
  const platform = reader.value('PLATFORM') ?? reader.value('CUSTOM_PLATFORM');
  if (platform !== undefined) settings.platform = platform;
  const skipUnused = reader.bool('SKIP_UNUSED_STAGES');
  if (skipUnused !== undefined) settings.skipUnusedStages = skipUnused;
  const pushRetry = reader.integer('PUSH_RETRY');
  if (pushRetry !== undefined) settings.pushRetry = pushRetry;
  const snapshotMode = reader.value('SNAPSHOT_MODE');
  if (snapshotMode !== undefined) settings.snapshotMode = snapshotMode;
  const enableCache = reader.bool('ENABLE_CACHE');
  if (enableCache !== undefined) settings.enableCache = enableCache;
  const cacheRepo = reader.value('CACHE_REPO');
  if (cacheRepo !== undefined) settings.cacheRepo = cacheRepo;
  const cacheTtl = reader.value('CACHE_TTL');
  if (cacheTtl !== undefined) settings.cacheTtl = /^\d+$/.test(cacheTtl) ? `${cacheTtl}h` : cacheTtl;
  // PLUGIN_BUILD_ARGS is split on commas as the original does; PLUGIN_BUILD_ARGS_NEW (split on ";") keeps commas.
  settings.buildArgs = { ...reader.pairs('BUILD_ARGS', ','), ...reader.pairs('BUILD_ARGS_NEW', ';') };
  settings.labels = reader.pairs('CUSTOM_LABELS', ',');
  settings.expandTag = reader.bool('EXPAND_TAG') ?? false;
}

function readPassthrough(reader: PluginReader, settings: PluginSettings): void {
  for (const [name, kind] of Object.entries(PASSTHROUGH)) {
    const flag = `--${name.toLowerCase().replace(/_/g, '-').replace(/^ignore-paths$/, 'ignore-path')}`;
    if (kind === 'bool') {
      const value = reader.bool(name);
      if (value !== undefined) settings.kanikoPassthrough.push(`${flag}=${value}`);
    } else if (kind === 'value') {
      const value = reader.value(name);
      if (value !== undefined) settings.kanikoPassthrough.push(`${flag}=${value}`);
    } else {
      for (const item of reader.list(name)) settings.kanikoPassthrough.push(`${flag}=${item}`);
    }
  }
}

const HANDLED = new Set([
  'NO_PUSH', 'TAR_PATH', 'DESTINATION_TAR_PATH', 'SKIP_TLS_VERIFY', 'SKIP_TLS_VERIFY_PULL', 'SKIP_TLS_VERIFY_REGISTRY',
  'INSECURE', 'INSECURE_PULL', 'INSECURE_REGISTRY', 'REGISTRY_MIRRORS', 'REGISTRY_CERTIFICATE', 'PLATFORM', 'CUSTOM_PLATFORM',
  'SKIP_UNUSED_STAGES', 'PUSH_RETRY', 'SNAPSHOT_MODE', 'ENABLE_CACHE', 'CACHE_REPO', 'CACHE_TTL', 'BUILD_ARGS', 'BUILD_ARGS_NEW',
  'CUSTOM_LABELS', 'EXPAND_TAG', ...Object.keys(PASSTHROUGH),
]);

/**
 * Reads every PLUGIN_* variable of a build step's environment.
 * @throws KilnError INVALID_ARGUMENT for a malformed value or a setting kiln does not support (PUSH_ONLY, AUTO_TAG, CONFIG).
 */
export function readPluginSettings(env: Record<string, string>): PluginSettings {
  const reader = new PluginReader(env);
  const { settings } = reader;
  for (const [name, reason] of Object.entries(UNSUPPORTED)) {
    if (reader.value(name) !== undefined && reader.value(name)?.toLowerCase() !== 'false') {
      throw new KilnError('INVALID_ARGUMENT', `PLUGIN_${name}: ${reason}`, { details: { failureType: 'ConfigurationFailure' } });
    }
  }
  readTransport(reader, settings);
  readBuild(reader, settings);
  readPassthrough(reader, settings);
  for (const key of Object.keys(env)) {
    if (!key.startsWith('PLUGIN_')) continue;
    const name = key.slice('PLUGIN_'.length);
    if (FROM_STEP_SPEC.includes(name)) settings.ignored.push(`${key} (kiln takes it from the step spec and the connector)`);
    else if (!HANDLED.has(name) && !(name in UNSUPPORTED)) settings.ignored.push(`${key} (not a setting of the kaniko plugin)`);
  }
  return settings;
}

/** Expands semantic-version tags as PLUGIN_EXPAND_TAG does: `v1.2.3` -> `1`, `1.2`, `1.2.3`; a prerelease keeps only its full version. */
export function expandTags(tags: string[]): string[] {
  const result: string[] = [];
  for (const tag of tags) {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(tag);
    if (match === null) result.push(tag);
    else if (match[4] !== undefined) result.push(tag.replace(/^v/, ''));
    else result.push(match[1] ?? '', `${match[1]}.${match[2]}`, `${match[1]}.${match[2]}.${match[3]}`);
  }
  return [...new Set(result)];
}
