import type { Stage } from '@kiln/pipeline';
import { encodeJson, eventMessageId, eventSubject, isKilnError, type StageFinishedEvent, type Status, type TaskPayload, type TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../backoff.js';
import type { TaskRun } from '../executor/local-executor.js';
import type { Lease, ManagerClient, TaskOffer, TaskRef } from '../manager/manager-client.js';
import { isRetryableManagerError } from '../manager/registration.js';
import type { DelegateMetrics } from '../metrics.js';
import type { Publisher } from '../nats/jetstream-publisher.js';
import { LeaseKeeper } from './lease-keeper.js';

/** Runs a stage task; the local executor implements it. */
export interface TaskExecutor {
  run(task: TaskRun): Promise<Status>;
}

export interface TaskLoopOptions {
  client: Pick<ManagerClient, 'acquireTask' | 'acceptTask' | 'renewLease'>;
  executor: TaskExecutor;
  publisher: Publisher;
  capacity: number;
  delegateId: () => string;
  renewIntervalMs: () => number;
  /** Called when the manager no longer accepts the session token; registers again. */
  reregister: () => Promise<void>;
  logger: Logger;
  metrics: DelegateMetrics;
  /** Aborted only when the delegate must exit: stops retries of terminal events. */
  abandonSignal: AbortSignal;
}

interface RunningTask {
  ref: TaskRef;
  controller: AbortController;
  done: Promise<void>;
}

function key(ref: { taskId: string; attempt: number }): string {
  return `${ref.taskId}:${ref.attempt}`;
}

/**
 * Acquires tasks while a slot is free and runs each with its lease kept
 * alive. There is one long poll at a time and never more running tasks than
 * `capacity`.
 */
export class TaskLoop {
  private readonly running = new Map<string, RunningTask>();
  private slotFreed: (() => void) | undefined;

  constructor(private readonly options: TaskLoopOptions) {
    options.metrics.setSlots(0, options.capacity);
  }

  get size(): number {
    return this.running.size;
  }

  ownedTasks(): TaskRef[] {
    return [...this.running.values()].map((task) => task.ref);
  }

  /** Polls for offers until `signal` aborts (drain); running tasks go on. */
  async acquireUntil(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(500, 15_000);
    while (!signal.aborted) {
      await this.waitForFreeSlot(signal);
      if (signal.aborted) return;
      try {
        const offer = await this.options.client.acquireTask(this.options.capacity - this.running.size, signal);
        backoff.reset();
        if (offer !== undefined) await this.accept(offer);
      } catch (error) {
        if (signal.aborted) return;
        await this.handlePollError(error, backoff, signal);
      }
    }
  }

  private async handlePollError(error: unknown, backoff: Backoff, signal: AbortSignal): Promise<void> {
    if (isKilnError(error, 'UNAUTHENTICATED')) {
      this.options.logger.warn({ err: error.message }, 'session rejected by the manager, registering again');
      await this.options.reregister();
      return;
    }
    const delayMs = backoff.next();
    const level = isRetryableManagerError(error) ? 'warn' : 'error';
    this.options.logger[level]({ err: error, delayMs }, 'acquire task failed, retrying');
    await sleep(delayMs, signal);
  }

  private waitForFreeSlot(signal: AbortSignal): Promise<void> {
    if (this.running.size < this.options.capacity) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        signal.removeEventListener('abort', wake);
        this.slotFreed = undefined;
        resolve();
      };
      this.slotFreed = wake;
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private async accept(offer: TaskOffer): Promise<void> {
    const logger = this.options.logger.child({ taskId: offer.taskId, attempt: offer.attempt, executionId: offer.executionId, stageId: offer.stageId });
    let accepted: { lease: Lease; payloadJson: string };
    try {
      accepted = await this.options.client.acceptTask(offer);
    } catch (error) {
      logger.warn({ err: error, offerId: offer.offerId }, 'accepting the offer failed');
      return;
    }
    logger.info({ leaseId: accepted.lease.leaseId }, 'task accepted');
    this.start(offer, accepted.lease, accepted.payloadJson, logger);
  }

  private start(offer: TaskOffer, lease: Lease, payloadJson: string, logger: Logger): void {
    const ref: TaskRef = { taskId: lease.taskId, attempt: lease.attempt, leaseId: lease.leaseId };
    const controller = new AbortController();
    const keeper = new LeaseKeeper(this.options.client, ref, this.options.renewIntervalMs(), logger, (reason, detail) => {
      logger.warn({ reason, detail }, 'stopping the task');
      controller.abort(new Error(reason));
    }, this.options.metrics);
    keeper.start();
    const done = this.execute(offer, ref, payloadJson, controller.signal, logger)
      .catch((error: unknown) => logger.error({ err: error }, 'task ended with an internal error'))
      .finally(async () => {
        await keeper.stop();
        this.running.delete(key(ref));
        this.options.metrics.setSlots(this.running.size, this.options.capacity);
        this.slotFreed?.();
      });
    this.running.set(key(ref), { ref, controller, done });
    this.options.metrics.setSlots(this.running.size, this.options.capacity);
  }

  /**
   * Takes over a task this delegate ran before it restarted: keeps its lease renewed and counts it against
   * capacity while `follow` runs it to its end. `follow` gets the signal that aborts on lease loss or cancel.
   */
  adopt(ref: TaskRef, follow: (signal: AbortSignal) => Promise<Status>, logger: Logger): void {
    const controller = new AbortController();
    const keeper = new LeaseKeeper(this.options.client, ref, this.options.renewIntervalMs(), logger, (reason, detail) => {
      logger.warn({ reason, detail }, 'stopping the adopted task');
      controller.abort(new Error(reason));
    }, this.options.metrics);
    keeper.start();
    const done = follow(controller.signal)
      .then((status) => logger.info({ status }, 'adopted task finished'))
      .catch((error: unknown) => logger.error({ err: error }, 'adopted task ended with an internal error'))
      .finally(async () => {
        await keeper.stop();
        this.running.delete(key(ref));
        this.options.metrics.setSlots(this.running.size, this.options.capacity);
        this.slotFreed?.();
      });
    this.running.set(key(ref), { ref, controller, done });
    this.options.metrics.setSlots(this.running.size, this.options.capacity);
  }

  private async execute(offer: TaskOffer, ref: TaskRef, payloadJson: string, signal: AbortSignal, logger: Logger): Promise<void> {
    let payload: TaskPayload<Stage>;
    try {
      payload = JSON.parse(payloadJson) as TaskPayload<Stage>;
    } catch (error) {
      logger.error({ err: error }, 'task payload is not valid JSON');
      await this.reportInvalidPayload(offer, ref, error);
      return;
    }
    const scope: TaskScope = { ...ref, executionId: payload.executionId, stageId: offer.stageId !== '' ? offer.stageId : payload.stage.identifier };
    const started = performance.now();
    const status = await this.options.executor.run({ payload, scope, delegateId: this.options.delegateId(), signal, abandonSignal: this.options.abandonSignal });
    this.options.metrics.taskDuration.observe({ result: status.toLowerCase() }, (performance.now() - started) / 1000);
    logger.info({ status }, 'task finished');
  }

  private async reportInvalidPayload(offer: TaskOffer, ref: TaskRef, error: unknown): Promise<void> {
    const event: StageFinishedEvent = {
      ...ref, executionId: offer.executionId, stageId: offer.stageId, ts: Date.now(), type: 'stage.finished', status: 'Failed',
      error: { code: 'INTERNAL', message: `the task payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, failureType: 'Unknown' },
    };
    await this.options.publisher.publish(eventSubject(offer.executionId), encodeJson(event), eventMessageId(event), { kind: 'event', untilAcked: true, signal: this.options.abandonSignal });
  }

  /**
   * Stops the given tasks (lease lost, or a cancel from a heartbeat reply or
   * the control subject); they report Aborted. A ref whose lease id is not
   * the running attempt's is ignored.
   */
  abort(refs: TaskRef[], reason: string): void {
    for (const ref of refs) {
      const task = this.running.get(key(ref));
      if (task === undefined || task.ref.leaseId !== ref.leaseId || task.controller.signal.aborted) continue;
      this.options.logger.warn({ taskId: ref.taskId, attempt: ref.attempt, reason }, 'stopping the task');
      task.controller.abort(new Error(reason));
    }
  }

  abortAll(reason: string): void {
    this.abort(this.ownedTasks(), reason);
  }

  /** Waits until no task runs or `timeoutMs` passes; returns true when idle. */
  async waitIdle(timeoutMs: number): Promise<boolean> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const all = Promise.all([...this.running.values()].map((task) => task.done)).then(() => true);
    const timeout = new Promise<boolean>((resolve) => deadline.addEventListener('abort', () => resolve(false), { once: true }));
    return Promise.race([all, timeout]);
  }
}
