import { controlSubject, encodeJson } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ControlChannel, ControlRequest } from '../scheduler/scheduler.js';

/**
 * Message on a delegate's control subject (`kiln.control.<delegateId>`):
 * stop one task attempt. The delegate ignores it unless task, attempt and
 * lease match a task it runs.
 */
export interface ControlMessage {
  type: 'cancel';
  taskId: string;
  attempt: number;
  leaseId: string;
  reason: string;
}

/** Sends cancel requests on the control subject of the delegate that runs the task. */
export class NatsControlChannel implements ControlChannel {
  constructor(private readonly nats: { publish(subject: string, data: Uint8Array): boolean }, private readonly logger: Logger) {}

  cancelTask(request: ControlRequest): void {
    const message: ControlMessage = { type: 'cancel', taskId: request.taskId, attempt: request.attempt, leaseId: request.leaseId, reason: request.reason };
    const sent = this.nats.publish(controlSubject(request.delegateId), encodeJson(message));
    const ids = { delegateId: request.delegateId, taskId: request.taskId, attempt: request.attempt };
    if (sent) this.logger.info(ids, 'cancel sent on the control subject');
    else this.logger.warn(ids, 'cancel not sent on the control subject (NATS not connected); the next lease renewal or heartbeat reply carries it');
  }
}
