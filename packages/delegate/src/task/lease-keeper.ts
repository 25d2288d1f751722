import { isKilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { sleep } from '../backoff.js';
import type { DelegateMetrics } from '../metrics.js';
import type { ManagerClient, TaskRef } from '../manager/manager-client.js';

export type LeaseEndReason = 'lease lost' | 'cancel requested';

/**
 * Renews one task's lease every `intervalMs` until stopped. It calls
 * `onStop` once when the manager returns LEASE_LOST or requests a cancel. After a cancel it keeps renewing, so the lease stays valid while the task
 * stops and reports Aborted. Transient errors are logged and retried at the
 * next interval.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private stopRequested = false;

  constructor(
    private readonly client: Pick<ManagerClient, 'renewLease'>,
    private readonly ref: TaskRef,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onStop: (reason: LeaseEndReason, detail: string) => void,
    private readonly metrics?: DelegateMetrics,
  ) {}

  start(): void {
    this.loop ??= this.renewLoop();
  }

  private requestStop(reason: LeaseEndReason, detail: string): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.onStop(reason, detail);
  }

  private async renewLoop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await sleep(this.intervalMs, signal);
      if (signal.aborted) return;
      try {
        const reply = await this.client.renewLease(this.ref);
        this.metrics?.leaseRenewals.inc({ result: 'renewed' });
        if (reply.cancelRequested) this.requestStop('cancel requested', reply.cancelReason);
      } catch (error) {
        if (isKilnError(error, 'LEASE_LOST')) {
          this.metrics?.leaseRenewals.inc({ result: 'lost' });
          this.logger.warn({ taskId: this.ref.taskId, attempt: this.ref.attempt, err: error.message }, 'lease lost, stopping the task');
          this.requestStop('lease lost', error.message);
          return;
        }
        this.metrics?.leaseRenewals.inc({ result: 'failed' });
        this.logger.warn({ taskId: this.ref.taskId, attempt: this.ref.attempt, err: error }, 'lease renewal failed, retrying');
      }
    }
  }

  /** Stops renewing and waits for an in-flight renewal to finish. Idempotent. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }
}
