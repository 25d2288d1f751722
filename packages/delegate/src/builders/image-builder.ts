import type { ArtifactRecord } from '@kiln/protocol';
import type { RegistryConfig } from '../config/delegate-config.js';
import type { StepLog } from '../nats/step-log.js';
import type { BuildRequest } from './build-request.js';

/** Build inputs besides the request: the step log, the stop signal and the directory for private files. */
export interface BuildIo {
  log: StepLog;
  /** Stops the builder: SIGTERM to its process group, SIGKILL after `killGracePeriodMs`. */
  signal: AbortSignal;
  killGracePeriodMs: number;
  /** Private directory of the task, for digest files and per-build configuration. */
  taskDir: string;
  /** File-name-safe form of the step id. */
  stepKey: string;
  /** Masks secrets in text before it leaves the delegate (command lines, error messages). */
  mask(text: string): string;
}

/** Delegate config a build needs besides the request: `registries:` and the config file for messages. */
export interface BuilderSettings {
  registries: Record<string, RegistryConfig>;
  configFile?: string;
}

/**
 * Builds an image and pushes each destination.
 * Rejects with a KilnError whose code and `details.failureType` come from
 * classifyBuildFailure (BUILD_FAILED with details.exitCode, REGISTRY_*,
 * IMAGE_NOT_FOUND, BUILDER_*), or ABORTED.
 */
export interface ImageBuilder {
  /** `kaniko` or `buildah`. */
  readonly name: string;
  /** Delegate-wide registry settings the build step applies. */
  readonly settings: BuilderSettings;
  build(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]>;
}
