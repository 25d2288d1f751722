import type { Logger } from 'pino';
import type { ManagerMetrics } from '../metrics.js';
import type { DelegateRecord, EpochMs, StoreOperations, TaskRecord } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import { queueReason } from './delegate-match.js';
import type { LostAttempts } from './lost-attempts.js';
import { expireQueuedTask } from './queue-expiry.js';

export interface DispatchSweepOptions {
  lost: LostAttempts;
  logger: Logger;
  metrics: ManagerMetrics;
  /** A delegate without a heartbeat for this long is lost, in ms. */
  heartbeatTimeoutMs: number;
  /** A task queued for longer than this expires with its execution, in ms. */
  queueTtlMs: number;
  delegateStaleAfterMs: number;
  /**
   * Time the manager started. After a restart the manager counts it as every
   * delegate's last heartbeat and every lease's last renewal, so that the
   * time it was down costs no delegate its tasks.
   */
  startedAt: EpochMs;
  leaseTtlMs: number;
}

const OFFER_RELEASE = { state: 'queued', offerId: undefined, offerDeadline: undefined, delegateId: undefined, offeredAt: undefined } as const;

/**
 * One pass over the queue's timers, run in one transaction: requeues offers
 * past their ack deadline, ends attempts whose lease expired or whose
 * delegate is lost, expires tasks queued past the queue TTL and refreshes why
 * queued tasks wait.
 */
export class DispatchSweep {
  constructor(private readonly options: DispatchSweepOptions) {}

  async run(tx: StoreOperations, effects: CommitEffects, now: EpochMs): Promise<void> {
    await this.requeueOffers(tx, effects, now);
    await this.loseSilentDelegates(tx, effects, now);
    await this.expireLeases(tx, effects, now);
    await this.expireQueued(tx, effects, now);
    await this.refreshReasons(tx, now);
  }

  private async requeueOffers(tx: StoreOperations, effects: CommitEffects, now: EpochMs): Promise<void> {
    for (const task of await tx.listTasks('offered')) {
      if ((task.offerDeadline ?? 0) >= now) continue;
      if (await tx.transitionTask(task.id, 'offered', OFFER_RELEASE)) {
        effects.tasksQueued = true;
        this.options.metrics.offersExpired.inc();
        this.options.logger.warn({ taskId: task.id, attempt: task.attempt, delegateId: task.delegateId }, 'offer not accepted before its ack deadline; task queued again');
      }
    }
  }

  /** Marks delegates without a heartbeat within the timeout `lost` and ends their tasks' attempts as lost. */
  private async loseSilentDelegates(tx: StoreOperations, effects: CommitEffects, now: EpochMs): Promise<void> {
    for (const delegate of await tx.listDelegates()) {
      if (delegate.state !== 'connected' && delegate.state !== 'draining') continue;
      const lastSeen = Math.max(delegate.lastHeartbeatAt, this.options.startedAt);
      if (now - lastSeen <= this.options.heartbeatTimeoutMs) continue;
      await tx.updateDelegate(delegate.id, { state: 'lost', slotsUsed: 0 });
      this.options.logger.warn({ delegateId: delegate.id, name: delegate.name, lastHeartbeatAt: new Date(delegate.lastHeartbeatAt).toISOString() }, 'delegate stopped heartbeating; marked lost');
      await this.releaseTasks(tx, effects, delegate, now);
    }
  }

  private async releaseTasks(tx: StoreOperations, effects: CommitEffects, delegate: DelegateRecord, now: EpochMs): Promise<void> {
    const seen = new Date(delegate.lastHeartbeatAt).toISOString();
    for (const task of await tx.listDelegateTasks(delegate.id)) {
      if (task.state === 'offered') {
        if (await tx.transitionTask(task.id, 'offered', OFFER_RELEASE)) effects.tasksQueued = true;
        continue;
      }
      const message = `attempt ${task.attempt} lost: delegate ${delegate.name} (${delegate.id}) sent no heartbeat for ${Math.round((now - delegate.lastHeartbeatAt) / 1000)} s (last at ${seen})`;
      await this.endLost(tx, effects, task, message, 'delegate_lost');
    }
  }

  private async expireLeases(tx: StoreOperations, effects: CommitEffects, now: EpochMs): Promise<void> {
    for (const task of await tx.listTasks('running')) {
      const expiresAt = Math.max(task.leaseExpiresAt ?? 0, this.options.startedAt + this.options.leaseTtlMs);
      if (expiresAt >= now) continue;
      const delegate = task.delegateId === undefined ? undefined : await tx.getDelegate(task.delegateId);
      const name = `${delegate?.name ?? 'unknown'} (${task.delegateId ?? '-'})`;
      const message = `attempt ${task.attempt} lost: delegate ${name} stopped renewing the lease of task ${task.id}; it expired at ${new Date(expiresAt).toISOString()}`;
      await this.endLost(tx, effects, task, message, 'lease_expired');
    }
  }

  private async endLost(tx: StoreOperations, effects: CommitEffects, task: TaskRecord, message: string, cause: 'lease_expired' | 'delegate_lost'): Promise<void> {
    const outcome = await this.options.lost.endLost(tx, effects, task, message);
    if (!outcome.ended) return;
    if (cause === 'lease_expired') this.options.metrics.leaseExpiries.inc();
    this.options.metrics.attemptsLost.inc({ cause });
    const ids = { taskId: task.id, attempt: task.attempt, delegateId: task.delegateId, executionId: task.executionId, stageId: task.stageId };
    this.options.logger.warn({ ...ids, cause, retried: outcome.retried, nextAttempt: outcome.nextAttempt }, 'attempt lost');
  }

  private async expireQueued(tx: StoreOperations, effects: CommitEffects, now: EpochMs): Promise<void> {
    for (const task of await tx.listTasks('queued')) {
      if (now - task.queuedAt <= this.options.queueTtlMs) continue;
      if (await expireQueuedTask(tx, effects, task, this.options.queueTtlMs, now)) {
        this.options.metrics.tasksExpired.inc();
        this.options.logger.warn({ taskId: task.id, attempt: task.attempt, executionId: task.executionId, stageId: task.stageId, reason: task.reason }, 'task expired in the queue');
      }
    }
  }

  private async refreshReasons(tx: StoreOperations, now: EpochMs): Promise<void> {
    const delegates = await tx.listDelegates();
    for (const task of await tx.listTasks('queued')) {
      const reason = queueReason(task.selectors, delegates, now, this.options.delegateStaleAfterMs);
      if (reason !== task.reason) await tx.updateTask(task.id, { reason });
    }
  }
}
