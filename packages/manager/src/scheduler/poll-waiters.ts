/** An offer of a task to one delegate, returned by AcquireTask. */
export interface TaskOffer {
  taskId: string;
  attempt: number;
  offerId: string;
  /** Epoch milliseconds by which the delegate must accept. */
  ackDeadline: number;
  executionId: string;
  stageId: string;
}

/** An AcquireTask long poll waiting for a matching task. */
export interface PollWaiter {
  delegateId: string;
  tags: Set<string>;
  /** Settles the poll; returns false when it had already settled (timed out or cancelled). */
  settle(offer: TaskOffer | undefined): boolean;
}

/**
 * The open long polls, oldest first. Settled waiters remove themselves, so the
 * list is bounded by the number of open AcquireTask calls.
 */
export class PollWaiters {
  private readonly waiters: PollWaiter[] = [];

  add(waiter: PollWaiter): void {
    this.waiters.push(waiter);
  }

  remove(waiter: PollWaiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  /** Snapshot of the waiters, oldest first. */
  list(): PollWaiter[] {
    return [...this.waiters];
  }

  get size(): number {
    return this.waiters.length;
  }

  /** Settles every waiter with no offer; used on shutdown. */
  closeAll(): void {
    for (const waiter of this.list()) waiter.settle(undefined);
  }
}
