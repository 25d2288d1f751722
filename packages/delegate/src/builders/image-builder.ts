import type { ArtifactRecord } from '@kiln/protocol';
import type { StepLog } from '../nats/step-log.js';
import type { BuildRequest } from './build-request.js';

/** Build inputs besides the request: the step log, the stop signal and the directory for private files. */
export interface BuildIo {
  log: StepLog;
  /** Stops the builder: SIGTERM to its process group, SIGKILL after `killGracePeriodMs`. */
  signal: AbortSignal;
  killGracePeriodMs: number;
  /** Private directory of the task, for digest files. */
  taskDir: string;
  /** File-name-safe form of the step id. */
  stepKey: string;
  /** Masks secrets in text before it leaves the delegate (command lines, error messages). */
  mask(text: string): string;
}

/**
 * Builds an image and pushes each destination.
 * Rejects with a KilnError: BUILD_FAILED (details.exitCode), REGISTRY_UNAUTHORIZED,
 * REGISTRY_UNREACHABLE, REGISTRY_ERROR or ABORTED.
 */
export interface ImageBuilder {
  readonly name: string;
  build(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]>;
}
