import { controlSubject } from '@kiln/protocol';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { TaskRef } from '../manager/manager-client.js';

/**
 * Message the manager sends on `kiln.control.<delegate name>`: stop one task
 * attempt. Its lease id must match the running task's lease, so a stale or
 * forged request cannot stop the current attempt, and replicas sharing the
 * name ignore the requests for tasks they do not run.
 */
export interface ControlMessage {
  type: 'cancel';
  taskId: string;
  attempt: number;
  leaseId: string;
  reason: string;
}

/** Something that can subscribe to a core NATS subject; the JetStream publisher's connection. */
export interface ControlSource {
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): Subscription;
}

/** Parses a control message; returns undefined when it is not a cancel request with task, attempt and lease. */
export function parseControlMessage(data: Uint8Array): ControlMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Partial<ControlMessage>;
  if (message.type !== 'cancel' || typeof message.taskId !== 'string' || typeof message.attempt !== 'number' || typeof message.leaseId !== 'string') return undefined;
  return { type: 'cancel', taskId: message.taskId, attempt: message.attempt, leaseId: message.leaseId, reason: typeof message.reason === 'string' ? message.reason : 'cancel requested' };
}

/**
 * Listens on the delegate's control subject and stops the tasks the manager
 * cancels, usually within a second of `kiln cancel`. The RenewLease and
 * Heartbeat replies carry the same requests when a message is lost.
 */
export class ControlListener {
  private subscription: Subscription | undefined;
  private delegateName: string | undefined;

  constructor(
    private readonly source: ControlSource,
    private readonly stopTask: (ref: TaskRef, reason: string) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes to the control subject of the configured `delegateName`, replacing an earlier subscription to another name.
   * `stopTask` acts only on a task this delegate runs with the same lease id (see TaskLoop.abort).
   */
  listen(delegateName: string): void {
    if (this.delegateName === delegateName && this.subscription !== undefined) return;
    this.close();
    this.delegateName = delegateName;
    const subject = controlSubject(delegateName);
    this.subscription = this.source.subscribe(subject, (data) => this.handle(data));
    this.logger.info({ subject }, 'listening for control messages');
  }

  private handle(data: Uint8Array): void {
    const message = parseControlMessage(data);
    if (message === undefined) {
      this.logger.warn({ delegateName: this.delegateName }, 'ignored an invalid control message');
      return;
    }
    this.logger.info({ taskId: message.taskId, attempt: message.attempt, reason: message.reason }, 'cancel received on the control subject');
    this.stopTask({ taskId: message.taskId, attempt: message.attempt, leaseId: message.leaseId }, message.reason);
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
