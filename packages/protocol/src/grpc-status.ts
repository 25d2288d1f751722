import * as grpc from '@grpc/grpc-js';
import { KilnError, type ErrorCode } from './errors.js';
import { METADATA } from './metadata.js';

const STATUS_BY_CODE: Record<ErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  INVALID_PIPELINE: grpc.status.INVALID_ARGUMENT,
  MISSING_INPUT: grpc.status.INVALID_ARGUMENT,
  CONNECTOR_NOT_FOUND: grpc.status.FAILED_PRECONDITION,
  SECRET_NOT_FOUND: grpc.status.FAILED_PRECONDITION,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  PROTOCOL_MISMATCH: grpc.status.FAILED_PRECONDITION,
  LEASE_LOST: grpc.status.FAILED_PRECONDITION,
  OFFER_EXPIRED: grpc.status.FAILED_PRECONDITION,
  CLONE_FAILED: grpc.status.FAILED_PRECONDITION,
  STEP_FAILED: grpc.status.FAILED_PRECONDITION,
  BUILD_FAILED: grpc.status.FAILED_PRECONDITION,
  REGISTRY_UNAUTHORIZED: grpc.status.FAILED_PRECONDITION,
  REGISTRY_UNREACHABLE: grpc.status.UNAVAILABLE,
  REGISTRY_ERROR: grpc.status.FAILED_PRECONDITION,
  REGISTRY_DENIED: grpc.status.FAILED_PRECONDITION,
  REGISTRY_TLS: grpc.status.FAILED_PRECONDITION,
  MANAGER_TLS: grpc.status.UNAVAILABLE,
  REGISTRY_RATE_LIMITED: grpc.status.RESOURCE_EXHAUSTED,
  IMAGE_NOT_FOUND: grpc.status.FAILED_PRECONDITION,
  CREDENTIALS_MISSING: grpc.status.FAILED_PRECONDITION,
  BUILDER_OUT_OF_RESOURCES: grpc.status.RESOURCE_EXHAUSTED,
  BUILDER_INFRASTRUCTURE: grpc.status.FAILED_PRECONDITION,
  PATH_OUTSIDE_WORKSPACE: grpc.status.INVALID_ARGUMENT,
  TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
  ABORTED: grpc.status.ABORTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  RATE_LIMITED: grpc.status.RESOURCE_EXHAUSTED,
  // Not retryable as it stands, so not RESOURCE_EXHAUSTED, which isRetryableStatus retries.
  PAYLOAD_TOO_LARGE: grpc.status.INVALID_ARGUMENT,
  INTERNAL: grpc.status.INTERNAL,
};

const CODE_BY_STATUS: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [grpc.status.NOT_FOUND]: 'NOT_FOUND',
  [grpc.status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [grpc.status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [grpc.status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [grpc.status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [grpc.status.ABORTED]: 'ABORTED',
  [grpc.status.UNAVAILABLE]: 'UNAVAILABLE',
};

/** Builds the gRPC error a handler passes to its callback, keeping kiln's code in the trailer. */
export function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (error instanceof KilnError) {
    metadata.set(METADATA.errorCode, error.code);
    const problems = error.details.problems;
    if (Array.isArray(problems)) {
      metadata.set(METADATA.problems, Buffer.from(JSON.stringify(problems), 'utf8'));
    }
    return { code: STATUS_BY_CODE[error.code], details: error.message, metadata };
  }
  metadata.set(METADATA.errorCode, 'INTERNAL');
  const message = error instanceof Error ? error.message : String(error);
  return { code: grpc.status.INTERNAL, details: `internal error: ${message}`, metadata };
}

/** Turns a gRPC client error back into a KilnError with the server's code and problems. */
export function fromServiceError(error: grpc.ServiceError): KilnError {
  const codeValue = error.metadata?.get(METADATA.errorCode)[0];
  const code = (typeof codeValue === 'string' ? codeValue : CODE_BY_STATUS[error.code] ?? 'UNAVAILABLE') as ErrorCode;
  const details: Record<string, unknown> = { grpcStatus: error.code };
  const problemsValue = error.metadata?.get(METADATA.problems)[0];
  if (Buffer.isBuffer(problemsValue)) {
    details.problems = JSON.parse(problemsValue.toString('utf8'));
  }
  return new KilnError(code, error.details || error.message, { cause: error, details });
}

/** Returns true when a failed call may succeed if repeated: the server was unreachable or busy. */
export function isRetryableStatus(code: grpc.status): boolean {
  return code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED || code === grpc.status.DEADLINE_EXCEEDED;
}
