import * as grpc from '@grpc/grpc-js';
import {
  KilnError,
  METADATA,
  PROTOCOL_VERSION,
  fromServiceError,
  loadDelegateProto,
  type DelegateServiceClient,
  type wire,
} from '@kiln/protocol';
import type { ManagerTlsConfig } from '../config/delegate-config.js';

/** Register reply: the session and the intervals the fleet should use, in milliseconds. */
export interface Session {
  delegateId: string;
  sessionToken: string;
  natsServers: string[];
  heartbeatIntervalMs: number;
  pollTimeoutMs: number;
  leaseTtlMs: number;
  renewIntervalMs: number;
  logFlushIntervalMs: number;
  logFlushBytes: number;
}

export interface RegisterInfo {
  name: string;
  tags: string[];
  version: string;
  executor: string;
  builder: string;
  builderVersion: string;
  capacity: number;
  hostname: string;
}

export interface TaskOffer {
  taskId: string;
  attempt: number;
  offerId: string;
  ackDeadlineMs: number;
  executionId: string;
  stageId: string;
}

export interface TaskRef {
  taskId: string;
  attempt: number;
  leaseId: string;
}

export interface Lease extends TaskRef {
  expiresAtMs: number;
  ttlMs: number;
}

export interface RenewResult {
  expiresAtMs: number;
  cancelRequested: boolean;
  cancelReason: string;
}

/** Returns TLS channel credentials for `tls`, or plaintext ones when it is undefined. */
export function channelCredentials(tls: ManagerTlsConfig | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  const pem = (text: string | undefined): Buffer | null => (text === undefined ? null : Buffer.from(text));
  return grpc.credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}

/** OpenSSL and Node messages of a failed certificate check by the client. */
const VERIFY_FAILURE = /self[- ]signed|unable to (?:verify|get local issuer)|certificate (?:has expired|is not yet valid|signature failure)|Hostname\/IP does not match|ERR_TLS_CERT|CERT_/i;
/** TLS alerts the server sends when it rejects the client's certificate or the handshake. */
const HANDSHAKE_REJECTED = /alert (?:certificate required|bad certificate|unknown ca|handshake failure)|wrong version number|SSL routines/i;

/** Shortens grpc-js's "No connection established. Last error: ..." and an OpenSSL error string to their reason. */
function tlsReason(details: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(details);
  if (openssl?.[1] !== undefined) return openssl[1].trim();
  const lastError = /Last error: (?:Error: )?(.*?)\.?(?: \(\d{4}-[^)]*\))?\.?(?: Resolution note:.*)?$/s.exec(details);
  return lastError?.[1]?.trim() || details.trim();
}

/**
 * Turns a gRPC transport error caused by TLS into a fatal KilnError MANAGER_TLS that names the manager address
 * and the CA source, so that Register stops retrying. Returns undefined for other errors.
 */
export function tlsFailure(error: grpc.ServiceError, address: string, tls: ManagerTlsConfig | undefined): KilnError | undefined {
  if (error.code !== grpc.status.UNAVAILABLE) return undefined;
  const caSource = tls?.caFile === undefined ? 'the system CA store' : `the CA file ${tls.caFile} (key "tls.ca")`;
  if (VERIFY_FAILURE.test(error.details)) {
    return new KilnError('MANAGER_TLS', `cannot verify the TLS certificate of the manager at ${address} with ${caSource} (${tlsReason(error.details)}): set "tls.ca" to the CA that signed the manager's --tls-cert`, { cause: error, details: { address } });
  }
  if (HANDSHAKE_REJECTED.test(error.details)) {
    const client = tls?.certFile === undefined ? 'no client certificate' : `client certificate ${tls.certFile}`;
    const hint = tls === undefined ? 'add a "tls" section when the manager serves TLS' : 'when the manager requires mutual TLS, set "tls.cert" and "tls.key" to a certificate its --client-ca signed';
    return new KilnError('MANAGER_TLS', `the TLS handshake with the manager at ${address} failed (${tlsReason(error.details)}) with ${client}, verifying the manager with ${caSource}: ${hint}`, { cause: error, details: { address } });
  }
  return undefined;
}

/** Extra time given to a long poll beyond the manager's poll timeout before the call is abandoned. */
const POLL_DEADLINE_MARGIN_MS = 15_000;
const CALL_DEADLINE_MS = 20_000;

function positiveOr(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * gRPC client of DelegateService. It sends `kiln-protocol-version` on every
 * call, the registration token on Register and the session token with
 * `kiln-delegate-id` afterwards. Failed calls reject with a KilnError whose
 * code comes from the manager's trailer.
 */
export class ManagerClient {
  private readonly client: DelegateServiceClient;
  private session: Session | undefined;

  /** Connects over TLS when `tls` is given (its CA, else the system store, verifies the manager) and plaintext otherwise. */
  constructor(readonly address: string, private readonly token: string, private readonly tls?: ManagerTlsConfig) {
    const proto = loadDelegateProto();
    this.client = new proto.kiln.v1.DelegateService(address, channelCredentials(tls));
  }

  get delegateId(): string | undefined {
    return this.session?.delegateId;
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    if (this.session === undefined) {
      metadata.set(METADATA.authorization, `Bearer ${this.token}`);
    } else {
      metadata.set(METADATA.authorization, `Bearer ${this.session.sessionToken}`);
      metadata.set(METADATA.delegateId, this.session.delegateId);
    }
    return metadata;
  }

  private unary<Req, Res>(
    method: (req: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
    request: Req,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new KilnError('ABORTED', 'call to the manager was cancelled'));
        return;
      }
      const call = method.call(this.client, request, this.metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (error !== null) reject(tlsFailure(error, this.address, this.tls) ?? fromServiceError(error));
        else if (response === undefined) reject(new KilnError('INTERNAL', 'the manager returned an empty response'));
        else resolve(response);
      });
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Registers once with the registration token and keeps the session for later calls. */
  async register(info: RegisterInfo, signal?: AbortSignal): Promise<Session> {
    this.session = undefined;
    const reply = await this.unary<wire.RegisterRequest, wire.RegisterResponse__Output>(this.client.register, {
      name: info.name, tags: info.tags, version: info.version, executor: info.executor, builder: info.builder,
      builder_version: info.builderVersion, capacity: info.capacity, hostname: info.hostname,
    }, CALL_DEADLINE_MS, signal);
    const renewDefault = positiveOr(reply.lease_ttl_ms, 60_000) / 3;
    this.session = {
      delegateId: reply.delegate_id,
      sessionToken: reply.session_token,
      natsServers: (reply.nats?.servers ?? '').split(',').map((server) => server.trim()).filter((server) => server !== ''),
      heartbeatIntervalMs: positiveOr(reply.heartbeat_interval_ms, 10_000),
      pollTimeoutMs: positiveOr(reply.poll_timeout_ms, 30_000),
      leaseTtlMs: positiveOr(reply.lease_ttl_ms, 60_000),
      renewIntervalMs: positiveOr(reply.renew_interval_ms, renewDefault),
      logFlushIntervalMs: positiveOr(reply.log_flush_interval_ms, 100),
      logFlushBytes: positiveOr(reply.log_flush_bytes, 256 * 1024),
    };
    return this.session;
  }

  /** Long poll for one offer; resolves undefined when the manager's poll timeout passes without work. */
  async acquireTask(freeSlots: number, signal: AbortSignal): Promise<TaskOffer | undefined> {
    const pollTimeoutMs = this.session?.pollTimeoutMs ?? 30_000;
    const reply = await this.unary<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(this.client.acquireTask, { free_slots: freeSlots }, pollTimeoutMs + POLL_DEADLINE_MARGIN_MS, signal);
    const offer = reply.offer;
    if (offer === null || offer === undefined || offer.task_id === '') return undefined;
    return {
      taskId: offer.task_id, attempt: offer.attempt, offerId: offer.offer_id, ackDeadlineMs: offer.ack_deadline_ms,
      executionId: offer.execution_id, stageId: offer.stage_id,
    };
  }

  async acceptTask(offer: TaskOffer): Promise<{ lease: Lease; payloadJson: string }> {
    const reply = await this.unary<wire.AcceptTaskRequest, wire.AcceptTaskResponse__Output>(this.client.acceptTask, { task_id: offer.taskId, attempt: offer.attempt, offer_id: offer.offerId }, CALL_DEADLINE_MS);
    const lease = reply.lease;
    if (lease === null || lease === undefined) throw new KilnError('INTERNAL', `the manager accepted offer ${offer.offerId} without a lease`);
    return {
      lease: { taskId: lease.task_id, attempt: lease.attempt, leaseId: lease.lease_id, expiresAtMs: lease.expires_at_ms, ttlMs: lease.ttl_ms },
      payloadJson: reply.payload_json,
    };
  }

  async renewLease(ref: TaskRef): Promise<RenewResult> {
    const reply = await this.unary<wire.RenewLeaseRequest, wire.RenewLeaseResponse__Output>(this.client.renewLease, { task: { task_id: ref.taskId, attempt: ref.attempt, lease_id: ref.leaseId } }, CALL_DEADLINE_MS);
    return { expiresAtMs: reply.expires_at_ms, cancelRequested: reply.cancel_requested, cancelReason: reply.cancel_reason };
  }

  async heartbeat(slotsUsed: number, slotsFree: number, tasks: TaskRef[], draining: boolean): Promise<{ lost: TaskRef[]; cancel: TaskRef[] }> {
    const wireTasks = tasks.map((task) => ({ task_id: task.taskId, attempt: task.attempt, lease_id: task.leaseId }));
    const reply = await this.unary<wire.HeartbeatRequest, wire.HeartbeatResponse__Output>(this.client.heartbeat, { slots_used: slotsUsed, slots_free: slotsFree, tasks: wireTasks, draining }, CALL_DEADLINE_MS);
    const toRef = (task: { task_id: string; attempt: number; lease_id: string }): TaskRef => ({ taskId: task.task_id, attempt: task.attempt, leaseId: task.lease_id });
    return { lost: reply.lost.map(toRef), cancel: reply.cancel.map(toRef) };
  }

  async deregister(reason: string): Promise<void> {
    await this.unary<wire.DeregisterRequest, wire.DeregisterResponse__Output>(this.client.deregister, { reason }, CALL_DEADLINE_MS);
  }

  close(): void {
    this.client.close();
  }
}
