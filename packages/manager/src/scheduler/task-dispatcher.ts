import { KilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ManagerMetrics } from '../metrics.js';
import type { EpochMs, StoreOperations, TaskRecord } from '../store/store.js';
import type { CommitEffects } from './commit-effects.js';
import { tagsMatch } from './delegate-match.js';
import { DispatchSweep } from './dispatch-sweep.js';
import type { ExecutionProgress } from './execution-progress.js';
import type { LostAttempts } from './lost-attempts.js';
import { PollWaiters, type PollWaiter, type TaskOffer } from './poll-waiters.js';

/** Runs work in one store transaction and acts on its effects after commit. */
export type Transact = <T>(work: (tx: StoreOperations, effects: CommitEffects) => Promise<T>) => Promise<T>;

export interface DispatcherOptions {
  transact: Transact;
  progress: ExecutionProgress;
  logger: Logger;
  metrics: ManagerMetrics;
  clock: () => EpochMs;
  newId: () => string;
  pollTimeoutMs: number;
  offerAckDeadlineMs: number;
  leaseTtlMs: number;
  delegateStaleAfterMs: number;
  lost: LostAttempts;
  /** A delegate without a heartbeat for this long is lost, in ms. */
  heartbeatTimeoutMs: number;
  /** A task queued for longer than this expires, in ms. */
  queueTtlMs: number;
  /** Time the manager started; leases and heartbeats count from it at the earliest. */
  startedAt: EpochMs;
}

/** A lease returned by AcceptTask. */
export interface TaskLease {
  taskId: string;
  attempt: number;
  leaseId: string;
  expiresAt: EpochMs;
  ttlMs: number;
  payloadJson: string;
}

export interface RenewResult {
  expiresAt: EpochMs;
  cancelRequested: boolean;
  cancelReason: string;
}

/** The delegate asking for work: its id and tags. */
export interface PollingDelegate {
  id: string;
  name: string;
  tags: readonly string[];
}

/**
 * Hands queued tasks to delegates: long polls that return as soon as a
 * matching task is queued, offers claimed by conditional update, leases, and the sweep
 * that requeues unaccepted offers and ends expired leases.
 */
export class TaskDispatcher {
  private readonly waiters = new PollWaiters();
  private waking = false;
  private wakeAgain = false;
  private closed = false;
  private readonly sweeper: DispatchSweep;

  constructor(private readonly options: DispatcherOptions) {
    this.sweeper = new DispatchSweep(options);
  }

  /**
   * Claims the oldest queued task matching `tags` for a delegate; returns
   * undefined when none matches, the delegate is not active, or it already
   * has as many offered and running tasks as its capacity.
   */
  private async claim(tx: StoreOperations, delegateId: string, tags: Set<string>, queued: TaskRecord[]): Promise<TaskOffer | undefined> {
    const now = this.options.clock();
    const delegate = await tx.getDelegate(delegateId);
    if (delegate === undefined || delegate.state !== 'connected') return undefined;
    if ((await tx.listDelegateTasks(delegateId)).length >= delegate.capacity) return undefined;
    for (const task of queued) {
      if (!tagsMatch(tags, task.selectors)) continue;
      const offerId = this.options.newId();
      const ackDeadline = now + this.options.offerAckDeadlineMs;
      const claimed = await tx.transitionTask(task.id, 'queued', { state: 'offered', offerId, offerDeadline: ackDeadline, delegateId, offeredAt: now, reason: '' });
      if (claimed) return { taskId: task.id, attempt: task.attempt, offerId, ackDeadline, executionId: task.executionId, stageId: task.stageId };
    }
    return undefined;
  }

  /**
   * Long poll: returns an offer as soon as a matching task is queued, or
   * undefined after the poll timeout, on shutdown or when `signal` aborts.
   */
  async acquireTask(delegate: PollingDelegate, signal: AbortSignal): Promise<TaskOffer | undefined> {
    if (this.closed || signal.aborted) {
      this.options.metrics.acquirePolls.inc({ result: this.closed ? 'empty' : 'cancelled' });
      return undefined;
    }
    return new Promise((resolve) => {
      let settled = false;
      const waiter: PollWaiter = {
        delegateId: delegate.id,
        tags: new Set(delegate.tags),
        settle: (result) => {
          if (settled) return false;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.waiters.remove(waiter);
          this.options.metrics.acquirePolls.inc({ result: result !== undefined ? 'offered' : signal.aborted ? 'cancelled' : 'empty' });
          resolve(result);
          return true;
        },
      };
      const onAbort = (): void => void waiter.settle(undefined);
      const timer = setTimeout(onAbort, this.options.pollTimeoutMs);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      // The waiter is registered before the pass looks at the queue, so a task queued meanwhile wakes it too.
      this.wake();
    });
  }

  /** Gives a claimed offer back to the queue when its poll ended before it could be delivered. */
  private async releaseOffer(offer: TaskOffer): Promise<void> {
    await this.options.transact(async (tx, effects) => {
      const released = await tx.transitionTask(offer.taskId, 'offered', { state: 'queued', offerId: undefined, offerDeadline: undefined, delegateId: undefined, offeredAt: undefined });
      effects.tasksQueued = released;
    });
  }

  /**
   * Matches queued tasks to waiting polls, oldest task first, and settles the
   * polls that got an offer. Runs one pass at a time; a wake during a pass
   * runs another pass after it.
   */
  wake(): void {
    if (this.waking) {
      this.wakeAgain = true;
      return;
    }
    this.waking = true;
    void this.wakePass()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'waking long polls failed'))
      .finally(() => {
        this.waking = false;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  private async wakePass(): Promise<void> {
    if (this.waiters.size === 0) return;
    const queued = await this.options.transact(async (tx) => tx.listTasks('queued'));
    for (const task of queued) {
      for (const waiter of this.waiters.list().filter((candidate) => tagsMatch(candidate.tags, task.selectors))) {
        const offer = await this.options.transact(async (tx) => this.claim(tx, waiter.delegateId, waiter.tags, [task]));
        if (offer === undefined) continue;
        if (!waiter.settle(offer)) await this.releaseOffer(offer);
        break;
      }
    }
  }

  /**
   * Turns an offer into a lease and returns the task payload.
   * @throws KilnError OFFER_EXPIRED when the offer is unknown, for another delegate, or past its ack deadline.
   */
  async acceptTask(delegateId: string, taskId: string, attempt: number, offerId: string): Promise<TaskLease> {
    const outcome = await this.options.transact(async (tx, effects): Promise<{ error: string } | { lease: TaskLease }> => {
      const task = await tx.getTask(taskId);
      if (task === undefined || task.attempt !== attempt || task.state !== 'offered' || task.offerId !== offerId || task.delegateId !== delegateId) {
        return { error: `offer ${offerId} of task ${taskId} attempt ${attempt} is not valid for this delegate (task is ${task?.state ?? 'unknown'}); acquire a new task` };
      }
      const now = this.options.clock();
      if ((task.offerDeadline ?? 0) < now) {
        await tx.transitionTask(task.id, 'offered', { state: 'queued', offerId: undefined, offerDeadline: undefined, delegateId: undefined, offeredAt: undefined });
        effects.tasksQueued = true;
        return { error: `offer ${offerId} of task ${taskId} passed its ack deadline ${new Date(task.offerDeadline ?? 0).toISOString()}; the task is queued again` };
      }
      const leaseId = this.options.newId();
      const expiresAt = now + this.options.leaseTtlMs;
      await tx.transitionTask(task.id, 'offered', { state: 'running', leaseId, leaseExpiresAt: expiresAt, acceptedAt: now });
      await this.options.progress.taskAccepted(tx, effects, task, delegateId);
      this.options.metrics.scheduleToStart.observe((now - task.queuedAt) / 1000);
      return { lease: { taskId, attempt, leaseId, expiresAt, ttlMs: this.options.leaseTtlMs, payloadJson: task.payloadJson } };
    });
    if ('error' in outcome) throw new KilnError('OFFER_EXPIRED', outcome.error, { details: { taskId, attempt, offerId } });
    return outcome.lease;
  }

  /**
   * Extends a lease by the lease TTL; the result reports whether the execution was cancelled.
   * @throws KilnError LEASE_LOST when the task, attempt or lease id is stale, or the lease expired.
   */
  async renewLease(delegateId: string, ref: { taskId: string; attempt: number; leaseId: string }): Promise<RenewResult> {
    const outcome = await this.options.transact(async (tx): Promise<{ error: string } | { result: RenewResult }> => {
      const task = await tx.getTask(ref.taskId);
      const now = this.options.clock();
      const valid = task !== undefined && task.state === 'running' && task.attempt === ref.attempt && task.leaseId === ref.leaseId && task.delegateId === delegateId;
      if (!valid || this.leaseExpiry(task) < now) {
        let state = task?.state ?? 'unknown';
        if (task?.state === 'running') state = `leased as ${task.leaseId ?? '-'} attempt ${task.attempt}`;
        return { error: `lease ${ref.leaseId} of task ${ref.taskId} attempt ${ref.attempt} is no longer held by this delegate (task is ${state}); stop the task` };
      }
      const expiresAt = now + this.options.leaseTtlMs;
      await tx.updateTask(task.id, { leaseExpiresAt: expiresAt });
      return { result: { expiresAt, cancelRequested: task.cancelRequested, cancelReason: task.cancelRequested ? 'execution cancelled by user' : '' } };
    });
    if ('error' in outcome) throw new KilnError('LEASE_LOST', outcome.error, { details: { ...ref } });
    return outcome.result;
  }

  /** Returns when a lease expires: its stored expiry, but never before one TTL after the manager started. */
  private leaseExpiry(task: TaskRecord): EpochMs {
    return Math.max(task.leaseExpiresAt ?? 0, this.options.startedAt + this.options.leaseTtlMs);
  }

  /**
   * Requeues offers past their ack deadline, ends attempts whose lease
   * expired or whose delegate is lost, expires tasks queued past the queue
   * TTL and refreshes why queued tasks wait.
   */
  async sweep(): Promise<void> {
    const now = this.options.clock();
    await this.options.transact(async (tx, effects) => this.sweeper.run(tx, effects, now));
  }

  /** Ends every open long poll with no offer; later polls return at once. */
  close(): void {
    this.closed = true;
    this.waiters.closeAll();
  }
}
