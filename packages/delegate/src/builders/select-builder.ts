import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Logger } from 'pino';
import type { BuilderConfig } from '../config/delegate-config.js';
import type { DelegateMetrics } from '../metrics.js';
import { BuildahBuilder } from './buildah-builder.js';
import type { BuilderSettings, ImageBuilder } from './image-builder.js';
import { KanikoBuilder } from './kaniko-builder.js';

/** The builder a delegate uses and its version, as Register reports them. */
export interface SelectedBuilder {
  builder: ImageBuilder;
  /** `kaniko` or `buildah`. */
  type: 'kaniko' | 'buildah';
  /** Version the binary reports, or `unknown` when it cannot run. */
  version: string;
  path: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `<path> version` (kaniko) or `<path> --version` (buildah) and extracts the version. */
async function readVersion(type: 'kaniko' | 'buildah', file: string, logger: Logger): Promise<string> {
  try {
    const { stdout } = await execa(file, type === 'kaniko' ? ['version'] : ['--version'], { timeout: 10_000 });
    return /version\s*:?\s*v?(\S+)/i.exec(stdout)?.[1] ?? (stdout.trim() || 'unknown');
  } catch (error) {
    logger.warn({ err: error, builder: type, path: file }, 'cannot read the builder version; builds will fail until the builder is installed');
    return 'unknown';
  }
}

/**
 * Picks the builder from the delegate config: `kaniko`, `buildah`, or `auto`
 * (kaniko when `kanikoPath` is an executable file, else buildah), reads its
 * version and logs the choice.
 */
export async function selectBuilder(config: BuilderConfig, workDir: string, settings: BuilderSettings, logger: Logger, metrics?: DelegateMetrics): Promise<SelectedBuilder> {
  const type = config.type === 'auto' ? (isExecutable(config.kanikoPath) ? 'kaniko' : 'buildah') : config.type;
  const file = type === 'kaniko' ? config.kanikoPath : config.path;
  const version = await readVersion(type, file, logger);
  const builder: ImageBuilder = type === 'kaniko'
    ? new KanikoBuilder({ path: file }, metrics, settings)
    : new BuildahBuilder({
      path: file, storageDriver: config.storageDriver, isolation: config.isolation,
      root: path.join(workDir, 'buildah', 'root'), runroot: path.join(workDir, 'buildah', 'runroot'),
    }, logger, metrics, settings);
  logger.info({ builder: type, builderVersion: version, path: file, configured: config.type }, 'image builder selected');
  return { builder, type, version, path: file };
}
