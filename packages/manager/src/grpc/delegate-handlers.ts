import type * as grpc from '@grpc/grpc-js';
import { KilnError, METADATA, type DelegateServiceHandlers, type wire } from '@kiln/protocol';
import { TokenRegistry } from '../auth/token-registry.js';
import { tokenMatches } from '../scheduler/delegate-registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { DelegateRecord } from '../store/store.js';
import { bearerToken, checkProtocolVersion, metadataValue, type CallGuard } from './call-guard.js';

/** Settings sent to delegates on Register. */
export interface FleetSettings {
  /** Comma-separated NATS server URLs delegates publish to. */
  natsServers: string;
  heartbeatIntervalMs: number;
  pollTimeoutMs: number;
  leaseTtlMs: number;
  logFlushIntervalMs: number;
  logFlushBytes: number;
}

export interface DelegateHandlerOptions {
  scheduler: Scheduler;
  guard: CallGuard;
  /** Hex SHA-256 of KILN_DELEGATE_TOKEN, the bootstrap delegate token. */
  delegateTokenHash: string;
  /** Stored tokens; by default a registry over the scheduler's store. */
  tokens?: TokenRegistry;
  settings: FleetSettings;
  /** False once shutdown began: new polls return no offer. */
  acceptingWork: () => boolean;
}

/** Checks the protocol version and the session token of a delegate call; returns the delegate. */
async function authenticate(options: DelegateHandlerOptions, metadata: grpc.Metadata): Promise<DelegateRecord> {
  checkProtocolVersion(metadata);
  const token = bearerToken(metadata);
  return options.scheduler.delegates.authenticate(metadataValue(metadata, METADATA.delegateId), token);
}

/**
 * Returns the id of the stored delegate token presented on Register, or
 * undefined for KILN_DELEGATE_TOKEN.
 * @throws KilnError UNAUTHENTICATED when it is neither, or a revoked or expired stored token.
 */
async function registrationTokenId(tokens: TokenRegistry, delegateTokenHash: string, token: string): Promise<string | undefined> {
  if (tokenMatches(token, delegateTokenHash)) return undefined;
  const stored = await tokens.verify(token, 'delegate');
  if (stored === undefined) {
    throw new KilnError('UNAUTHENTICATED', 'delegate token does not match KILN_DELEGATE_TOKEN of the manager nor a stored delegate token; check the delegate\'s token, tokenFile or KILN_DELEGATE_TOKEN');
  }
  return stored.id;
}

function taskRefFromWire(ref: wire.TaskRef__Output | null | undefined): { taskId: string; attempt: number; leaseId: string } {
  if (!ref?.task_id) throw new KilnError('INVALID_ARGUMENT', 'task reference is missing: send task_id, attempt and lease_id');
  return { taskId: ref.task_id, attempt: ref.attempt, leaseId: ref.lease_id };
}

function taskRefToWire(ref: { taskId: string; attempt: number; leaseId: string }): wire.TaskRef {
  return { task_id: ref.taskId, attempt: ref.attempt, lease_id: ref.leaseId };
}

/** Builds the DelegateService handlers: wire to domain translation only. */
export function createDelegateHandlers(options: DelegateHandlerOptions): DelegateServiceHandlers {
  const { guard, scheduler, settings } = options;
  const tokens = options.tokens ?? new TokenRegistry({ transact: (work) => scheduler.transact(work), clock: Date.now });
  return {
    Register: guard.unary('Register', async (call) => {
      checkProtocolVersion(call.metadata);
      const tokenId = await registrationTokenId(tokens, options.delegateTokenHash, bearerToken(call.metadata));
      const request = call.request;
      const { delegate, sessionToken } = await scheduler.delegates.register({
        name: request.name || request.hostname || 'delegate',
        tags: request.tags,
        version: request.version,
        executor: request.executor,
        builder: request.builder,
        builderVersion: request.builder_version,
        capacity: request.capacity,
        hostname: request.hostname,
      }, tokenId);
      return {
        delegate_id: delegate.id,
        session_token: sessionToken,
        nats: { servers: settings.natsServers },
        heartbeat_interval_ms: settings.heartbeatIntervalMs,
        poll_timeout_ms: settings.pollTimeoutMs,
        lease_ttl_ms: settings.leaseTtlMs,
        renew_interval_ms: Math.floor(settings.leaseTtlMs / 3),
        log_flush_interval_ms: settings.logFlushIntervalMs,
        log_flush_bytes: settings.logFlushBytes,
      };
    }),

    AcquireTask: guard.unary('AcquireTask', async (call) => {
      const delegate = await authenticate(options, call.metadata);
      if (call.request.free_slots <= 0) {
        throw new KilnError('INVALID_ARGUMENT', `free_slots is ${call.request.free_slots}: call AcquireTask only with a free slot`);
      }
      if (!options.acceptingWork()) return {};
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const offer = await scheduler.dispatcher.acquireTask(delegate, abort.signal);
      if (offer === undefined) return {};
      return {
        offer: {
          task_id: offer.taskId,
          attempt: offer.attempt,
          offer_id: offer.offerId,
          ack_deadline_ms: offer.ackDeadline,
          execution_id: offer.executionId,
          stage_id: offer.stageId,
        },
      };
    }),

    AcceptTask: guard.unary('AcceptTask', async (call) => {
      const delegate = await authenticate(options, call.metadata);
      const { task_id: taskId, attempt, offer_id: offerId } = call.request;
      const lease = await scheduler.dispatcher.acceptTask(delegate.id, taskId, attempt, offerId);
      return {
        lease: { task_id: lease.taskId, attempt: lease.attempt, lease_id: lease.leaseId, expires_at_ms: lease.expiresAt, ttl_ms: lease.ttlMs },
        payload_json: lease.payloadJson,
      };
    }),

    RenewLease: guard.unary('RenewLease', async (call) => {
      const delegate = await authenticate(options, call.metadata);
      const result = await scheduler.dispatcher.renewLease(delegate.id, taskRefFromWire(call.request.task));
      return { expires_at_ms: result.expiresAt, cancel_requested: result.cancelRequested, cancel_reason: result.cancelReason };
    }),

    Heartbeat: guard.unary('Heartbeat', async (call) => {
      const delegate = await authenticate(options, call.metadata);
      const request = call.request;
      const result = await scheduler.delegates.heartbeat(delegate, {
        slotsUsed: request.slots_used,
        slotsFree: request.slots_free,
        tasks: request.tasks.map(taskRefFromWire),
        draining: request.draining,
      });
      return { lost: result.lost.map(taskRefToWire), cancel: result.cancel.map(taskRefToWire) };
    }),

    Deregister: guard.unary('Deregister', async (call) => {
      const delegate = await authenticate(options, call.metadata);
      await scheduler.delegates.deregister(delegate, call.request.reason);
      return {};
    }),
  };
}
