import type * as grpc from '@grpc/grpc-js';
import { KilnError, METADATA, PROTOCOL_VERSION, isKilnError, toServiceError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { AuthLimiter } from '../auth/auth-limiter.js';
import type { ManagerMetrics } from '../metrics.js';
import { peerHost, RejectionLog } from './rejection-log.js';

/** Returns a metadata value as a string, or '' when missing. */
export function metadataValue(metadata: grpc.Metadata, key: string): string {
  const value = metadata.get(key)[0];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.toString('utf8');
}

/**
 * Checks the caller's `kiln-protocol-version`.
 * @throws KilnError PROTOCOL_MISMATCH naming both versions.
 */
export function checkProtocolVersion(metadata: grpc.Metadata): void {
  const version = metadataValue(metadata, METADATA.protocolVersion);
  if (version !== PROTOCOL_VERSION) {
    const sent = version === '' ? 'no kiln-protocol-version metadata' : `protocol version ${version}`;
    throw new KilnError('PROTOCOL_MISMATCH', `the client sent ${sent}, but this manager speaks kiln protocol version ${PROTOCOL_VERSION}; use a client and manager of the same kiln release`);
  }
}

/**
 * Returns the token of an `authorization: Bearer <token>` header.
 * @throws KilnError UNAUTHENTICATED when it is missing or malformed.
 */
export function bearerToken(metadata: grpc.Metadata): string {
  const header = metadataValue(metadata, METADATA.authorization);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) throw new KilnError('UNAUTHENTICATED', 'missing or malformed authorization metadata: expected "Bearer <token>"');
  return match[1] as string;
}

/** Codes of rejected credentials, logged as warnings through the RejectionLog. */
const CREDENTIAL_CODES = new Set(['UNAUTHENTICATED', 'PERMISSION_DENIED']);

/** Optional collaborators of a CallGuard; each defaults to a fresh instance. */
export interface CallGuardOptions {
  rejections?: RejectionLog;
  /** Blocks a peer host after repeated failed authentications; 10 within 60 s block it for 60 s. */
  authLimiter?: AuthLimiter;
}

/**
 * Shared plumbing of handlers: timing, error mapping, logging of rejected
 * credentials and unexpected errors, and blocking of hosts that fail
 * authentication repeatedly.
 */
export class CallGuard {
  private readonly rejections: RejectionLog;
  private readonly authLimiter: AuthLimiter;

  constructor(private readonly logger: Logger, private readonly metrics: ManagerMetrics, options: RejectionLog | CallGuardOptions = {}) {
    const resolved = options instanceof RejectionLog ? { rejections: options } : options;
    this.rejections = resolved.rejections ?? new RejectionLog(logger);
    this.authLimiter = resolved.authLimiter ?? new AuthLimiter();
  }

  /** Wraps a unary handler: `work` returns the response or throws; errors become gRPC errors with kiln's code. */
  unary<Req, Res>(method: string, work: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const stop = this.metrics.grpcHandling.startTimer({ method });
      Promise.resolve()
        .then(() => this.checkNotBlocked(call.getPeer()))
        .then(() => work(call))
        .then((response) => callback(null, response))
        .catch((error: unknown) => callback(this.toError(method, error, call.getPeer())))
        .finally(() => stop());
    };
  }

  /** Wraps a server-streaming handler; `work` writes to the call and resolves when the stream is done. */
  serverStream<Req, Res>(method: string, work: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>): grpc.handleServerStreamingCall<Req, Res> {
    return (call) => {
      const stop = this.metrics.grpcHandling.startTimer({ method });
      Promise.resolve()
        .then(() => this.checkNotBlocked(call.getPeer()))
        .then(() => work(call))
        .then(() => call.end())
        .catch((error: unknown) => {
          // grpc-js turns an 'error' event on a server stream into the call's final status.
          if (!call.cancelled) call.emit('error', this.toError(method, error, call.getPeer()));
        })
        .finally(() => stop());
    };
  }

  /** Maps a handler error to a gRPC error; `peer` is the caller's address, logged when its credentials were rejected. */
  toError(method: string, error: unknown, peer = 'unknown'): grpc.ServiceError {
    if (isKilnError(error, 'UNAUTHENTICATED')) this.recordAuthFailure(peer, method);
    if (isKilnError(error) && CREDENTIAL_CODES.has(error.code)) this.rejections.record(peer, method, error.code, error.message);
    else if (isKilnError(error, 'RATE_LIMITED')) this.logger.debug({ method, peer }, 'call rejected from a blocked host');
    else if (isKilnError(error)) this.logger.debug({ method, code: error.code, err: error }, 'call rejected');
    else this.logger.error({ method, err: error }, 'call failed with an unexpected error');
    return toServiceError(error) as grpc.ServiceError;
  }

  /** @throws KilnError RATE_LIMITED while the peer's host is blocked, before any credential is read. */
  private checkNotBlocked(peer: string): void {
    const blockedUntil = this.authLimiter.blockedUntil(peerHost(peer));
    if (blockedUntil === undefined) return;
    throw new KilnError(
      'RATE_LIMITED',
      `too many failed authentications from this host, so its calls are rejected until ${new Date(blockedUntil).toISOString()}. Check the client's token, then retry after that time`,
    );
  }

  private recordAuthFailure(peer: string, method: string): void {
    const outcome = this.authLimiter.recordFailure(peerHost(peer));
    if (outcome.blockStarted) this.rejections.recordBlock(peer, method, this.authLimiter.maxFailures, outcome.blockedUntil);
  }
}
