import { isKilnError, type ErrorRecord } from '@kiln/protocol';
import type { StepOutcome } from './task-context.js';

const FAILURE_TYPES: Record<string, string> = {
  REGISTRY_UNAUTHORIZED: 'Authentication',
  REGISTRY_UNREACHABLE: 'Connectivity',
  REGISTRY_ERROR: 'Connectivity',
  SECRET_NOT_FOUND: 'ConfigurationFailure',
  CONNECTOR_NOT_FOUND: 'ConfigurationFailure',
  INVALID_ARGUMENT: 'ConfigurationFailure',
  PATH_OUTSIDE_WORKSPACE: 'ConfigurationFailure',
  TIMEOUT: 'Timeout',
  BUILD_FAILED: 'Application',
  STEP_FAILED: 'Application',
  CLONE_FAILED: 'Application',
};

/** Builds an error record with Harness's failure type for the code; `mask` removes secrets from the message. */
export function errorRecord(code: string, message: string, mask: (text: string) => string): ErrorRecord {
  return { code, message: mask(message), failureType: FAILURE_TYPES[code] ?? 'Unknown' };
}

/** Turns an error thrown by a step into its outcome: Aborted when the task was stopped, else Failed with the error's code. */
export function outcomeFromError(error: unknown, aborted: boolean, mask: (text: string) => string): StepOutcome {
  if (aborted || isKilnError(error, 'ABORTED')) {
    return { status: 'Aborted', error: errorRecord('ABORTED', error instanceof Error ? error.message : String(error), mask) };
  }
  if (isKilnError(error)) {
    const exitCode = error.details.exitCode;
    const outcome: StepOutcome = { status: 'Failed', error: errorRecord(error.code, error.message, mask) };
    const failureType = error.details.failureType;
    if (typeof failureType === 'string' && outcome.error !== undefined) outcome.error.failureType = failureType;
    if (typeof exitCode === 'number') outcome.exitCode = exitCode;
    return outcome;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'Failed', error: errorRecord('INTERNAL', `internal delegate error: ${message}`, mask) };
}
