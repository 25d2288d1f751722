import { controlSubject, encodeJson, isSubjectToken } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ControlChannel, ControlRequest } from '../scheduler/scheduler.js';

/**
 * Message on a delegate's control subject (`kiln.control.<delegate name>`):
 * stop one task attempt. Replicas with the same name all receive it, and each
 * ignores it unless task, attempt and lease id match a task it runs.
 */
export interface ControlMessage {
  type: 'cancel';
  taskId: string;
  attempt: number;
  leaseId: string;
  reason: string;
}

/** Sends cancel requests on the control subject named after the delegate that runs the task. */
export class NatsControlChannel implements ControlChannel {
  constructor(private readonly nats: { publish(subject: string, data: Uint8Array): boolean }, private readonly logger: Logger) {}

  cancelTask(request: ControlRequest): void {
    const message: ControlMessage = { type: 'cancel', taskId: request.taskId, attempt: request.attempt, leaseId: request.leaseId, reason: request.reason };
    const ids = { delegateId: request.delegateId, delegateName: request.delegateName, taskId: request.taskId, attempt: request.attempt };
    if (!isSubjectToken(request.delegateName)) {
      // Delegates reject such names at config load; an older delegate may still have registered one.
      this.logger.warn(ids, 'cancel not sent: the delegate name cannot be a NATS subject token; the next lease renewal or heartbeat reply carries it');
      return;
    }
    const sent = this.nats.publish(controlSubject(request.delegateName), encodeJson(message));
    if (sent) this.logger.info(ids, 'cancel sent on the control subject');
    else this.logger.warn(ids, 'cancel not sent on the control subject (NATS not connected); the next lease renewal or heartbeat reply carries it');
  }
}
