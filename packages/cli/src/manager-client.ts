import * as grpc from '@grpc/grpc-js';
import {
  fromServiceError,
  KilnError,
  loadManagerProto,
  METADATA,
  PROTOCOL_VERSION,
  type ManagerServiceClient,
  type wire,
} from '@kiln/protocol';
import { ManagerUnreachableError } from './errors.js';
import type { ClientTls } from './options.js';

/** Settings of a ManagerClient. */
export interface ManagerClientOptions {
  /** `HOST:PORT` of the manager's gRPC listener. */
  address: string;
  /** Source of the address for error messages: `--manager`, `KILN_MANAGER` or `default`. */
  addressSource: string;
  /** API token sent as `authorization: Bearer <token>`. */
  token: string;
  /** Deadline of each unary call in milliseconds; default 30000. */
  callTimeoutMs?: number;
  /** TLS towards the manager; undefined is plaintext. */
  tls?: ClientTls | undefined;
}

/** OpenSSL and Node messages of a certificate the client could not verify, or a handshake the server rejected. */
const TLS_FAILURE = /self[- ]signed|unable to (?:verify|get local issuer)|certificate|Hostname\/IP does not match|ERR_TLS|CERT_|SSL routines|wrong version number/i;

function channelCredentials(tls: ClientTls | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Response>,
) => grpc.ClientUnaryCall;

/**
 * Promise-based client of ManagerService. Every call carries the protocol
 * version and the bearer token. A failed call raises a KilnError with the
 * manager's code, or a ManagerUnreachableError when no connection was made.
 */
export class ManagerClient {
  private readonly client: ManagerServiceClient;
  private readonly options: ManagerClientOptions;
  private readonly callTimeoutMs: number;

  constructor(options: ManagerClientOptions) {
    this.options = options;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.client = new (loadManagerProto().kiln.v1.ManagerService)(options.address, channelCredentials(options.tls));
  }

  apply(request: wire.ApplyRequest): Promise<wire.ApplyResponse__Output> {
    return this.unary(this.client.Apply, request);
  }

  startExecution(request: wire.StartExecutionRequest): Promise<wire.Execution__Output> {
    return this.unary(this.client.StartExecution, request);
  }

  getExecution(id: string): Promise<wire.Execution__Output> {
    return this.unary(this.client.GetExecution, { id });
  }

  listExecutions(request: wire.ListExecutionsRequest): Promise<wire.ListExecutionsResponse__Output> {
    return this.unary(this.client.ListExecutions, request);
  }

  cancelExecution(id: string): Promise<wire.Execution__Output> {
    return this.unary(this.client.CancelExecution, { id });
  }

  listDelegates(request: wire.ListDelegatesRequest = {}): Promise<wire.ListDelegatesResponse__Output> {
    return this.unary(this.client.ListDelegates, request);
  }

  listPipelines(): Promise<wire.ListPipelinesResponse__Output> {
    return this.unary(this.client.ListPipelines, {});
  }

  createToken(request: wire.CreateTokenRequest): Promise<wire.CreateTokenResponse__Output> {
    return this.unary(this.client.CreateToken, request);
  }

  listTokens(): Promise<wire.ListTokensResponse__Output> {
    return this.unary(this.client.ListTokens, {});
  }

  revokeToken(id: string): Promise<wire.TokenInfo__Output> {
    return this.unary(this.client.RevokeToken, { id });
  }

  listAudit(limit: number): Promise<wire.ListAuditResponse__Output> {
    return this.unary(this.client.ListAudit, { limit });
  }

  /**
   * Streams log lines until the manager ends the stream; the signal cancels
   * the call. Has no deadline, because with `follow` the stream lasts as long
   * as the execution.
   */
  async *streamLogs(request: wire.StreamLogsRequest, signal?: AbortSignal): AsyncGenerator<wire.LogLine__Output> {
    const call = this.client.StreamLogs(request, this.metadata());
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const line of call as AsyncIterable<wire.LogLine__Output>) {
        yield line;
      }
    } catch (error) {
      if (signal?.aborted === true) return;
      throw this.translate(error);
    } finally {
      signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /** Closes the channel; calls after this fail. */
  close(): void {
    this.client.close();
  }

  private unary<Request, Response>(method: UnaryMethod<Request, Response>, request: Request): Promise<Response> {
    const options: grpc.CallOptions = { deadline: Date.now() + this.callTimeoutMs };
    return new Promise((resolve, reject) => {
      method.call(this.client, request, this.metadata(), options, (error, response) => {
        if (error !== null) reject(this.translate(error));
        else if (response === undefined) reject(this.translate(new Error('empty response')));
        else resolve(response);
      });
    });
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    metadata.set(METADATA.authorization, `Bearer ${this.options.token}`);
    return metadata;
  }

  /**
   * Maps a call failure to an error. UNAVAILABLE or DEADLINE_EXCEEDED without
   * kiln's error-code trailer come from grpc-js itself, not from the manager,
   * so they mean the manager could not be reached.
   */
  private translate(error: unknown): KilnError {
    if (!isServiceError(error)) {
      const message = error instanceof Error ? error.message : String(error);
      return new KilnError('INTERNAL', `call to the kiln manager failed: ${message}`, { cause: error });
    }
    const fromManager = error.metadata?.get(METADATA.errorCode).length > 0;
    const transportStatus = error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED;
    if (error.code === grpc.status.UNAVAILABLE && !fromManager && TLS_FAILURE.test(error.details)) return this.tlsError(error);
    if (transportStatus && !fromManager) {
      const reason = error.code === grpc.status.DEADLINE_EXCEEDED
        ? `no answer within ${Math.round(this.callTimeoutMs / 1000)}s`
        : transportReason(error.details);
      return new ManagerUnreachableError(this.options.address, this.options.addressSource, { cause: error, reason });
    }
    return fromServiceError(error);
  }

  /** Describes a failed TLS handshake with the manager's address and the CA that verified it. */
  private tlsError(error: grpc.ServiceError): KilnError {
    const { address, tls } = this.options;
    const reason = transportReason(error.details);
    const caSource = tls?.caSource ?? 'no CA (the connection was plaintext)';
    const hint = tls === undefined
      ? 'The manager may serve TLS: give --ca-file FILE (or KILN_CA_FILE) with the CA that signed its certificate, or --tls for the system store.'
      : 'Give --ca-file (or KILN_CA_FILE) the CA that signed the manager\'s --tls-cert; when the manager requires mutual TLS, add --cert and --key.';
    return new KilnError('MANAGER_TLS', `TLS with the kiln manager at ${address} failed, verified with ${caSource} (${reason})`, { cause: error, details: { address, hint } });
  }
}

/**
 * Shortens grpc-js's "No connection established. Last error: Error: connect
 * ECONNREFUSED 127.0.0.1:7443. Resolution note: " to its cause.
 */
export function transportReason(details: string): string {
  const match = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(details);
  const reason = match?.[1]?.trim() ?? details.trim();
  return reason === '' ? 'unavailable' : reason;
}

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}
