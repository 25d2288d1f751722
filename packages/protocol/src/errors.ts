/** Stable codes for errors that cross a process boundary or reach a user. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_PIPELINE'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'PROTOCOL_MISMATCH'
  | 'LEASE_LOST'
  | 'OFFER_EXPIRED'
  | 'MISSING_INPUT'
  | 'CONNECTOR_NOT_FOUND'
  | 'SECRET_NOT_FOUND'
  | 'CLONE_FAILED'
  | 'STEP_FAILED'
  | 'BUILD_FAILED'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_TLS'
  | 'MANAGER_TLS'
  | 'REGISTRY_RATE_LIMITED'
  | 'IMAGE_NOT_FOUND'
  | 'CREDENTIALS_MISSING'
  | 'BUILDER_OUT_OF_RESOURCES'
  | 'BUILDER_INFRASTRUCTURE'
  | 'PATH_OUTSIDE_WORKSPACE'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

/** Base class of kiln's errors: a stable `code`, the ids involved and a native `cause`. */
export class KilnError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KilnError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Returns true when `error` is a KilnError, optionally with the given code. */
export function isKilnError(error: unknown, code?: ErrorCode): error is KilnError {
  return error instanceof KilnError && (code === undefined || error.code === code);
}
