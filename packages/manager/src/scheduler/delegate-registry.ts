import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { tokenProblem } from '../auth/token-registry.js';
import type { DelegateRecord, EpochMs, StoreOperations } from '../store/store.js';
import type { Transact } from './task-dispatcher.js';

/** Delegate details sent on Register. */
export interface DelegateRegistration {
  name: string;
  tags: string[];
  version: string;
  executor: string;
  builder: string;
  builderVersion: string;
  capacity: number;
  hostname: string;
}

export interface TaskRef {
  taskId: string;
  attempt: number;
  leaseId: string;
}

export interface HeartbeatReport {
  slotsUsed: number;
  slotsFree: number;
  tasks: TaskRef[];
  draining: boolean;
}

export interface HeartbeatResult {
  /** Tasks the delegate reported that it no longer holds a lease on. */
  lost: TaskRef[];
  /** Tasks whose execution was cancelled. */
  cancel: TaskRef[];
}

/** Returns the hex SHA-256 of a token. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares a presented token with a stored hex SHA-256 in constant time. */
export function tokenMatches(presented: string, expectedHashHex: string): boolean {
  const presentedHash = createHash('sha256').update(presented, 'utf8').digest();
  const expected = Buffer.from(expectedHashHex, 'hex');
  return expected.length === presentedHash.length && timingSafeEqual(presentedHash, expected);
}

/**
 * Counts the slots each delegate uses from the manager's own tasks: every
 * task offered to or running on it. Unlike the heartbeat's slotsUsed it
 * changes the moment a task is offered or finishes.
 */
export async function countUsedSlots(tx: StoreOperations): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  for (const task of [...(await tx.listTasks('offered')), ...(await tx.listTasks('running'))]) {
    if (task.delegateId !== undefined) used.set(task.delegateId, (used.get(task.delegateId) ?? 0) + 1);
  }
  return used;
}

/**
 * Delegate sessions: registration, session checks, heartbeats and
 * deregistration. `onChange` runs when the set of delegates that can take
 * work changes, so queued tasks get their wait reason refreshed.
 */
export class DelegateRegistry {
  constructor(
    private readonly options: { transact: Transact; logger: Logger; clock: () => EpochMs; newId: () => string; onChange: () => void },
  ) {}

  /**
   * Creates a delegate with a new session token; only the token's SHA-256 is stored.
   * `tokenId` is the stored delegate token it registered with, undefined for KILN_DELEGATE_TOKEN.
   */
  async register(registration: DelegateRegistration, tokenId?: string): Promise<{ delegate: DelegateRecord; sessionToken: string }> {
    if (!Number.isInteger(registration.capacity) || registration.capacity < 1) {
      throw new KilnError('INVALID_ARGUMENT', `delegate capacity ${registration.capacity} is invalid: expected an integer of at least 1`);
    }
    const sessionToken = randomBytes(32).toString('base64url');
    const now = this.options.clock();
    const delegate: DelegateRecord = {
      id: this.options.newId(),
      ...registration,
      slotsUsed: 0,
      state: 'connected',
      sessionTokenHash: sha256Hex(sessionToken),
      tokenId,
      registeredAt: now,
      lastHeartbeatAt: now,
    };
    await this.options.transact(async (tx) => tx.insertDelegate(delegate));
    this.options.logger.info({ delegateId: delegate.id, name: delegate.name, tags: delegate.tags, capacity: delegate.capacity }, 'delegate registered');
    this.options.onChange();
    return { delegate, sessionToken };
  }

  /**
   * Returns the delegate whose session token is presented. A session whose
   * stored delegate token was revoked or expired is deregistered here.
   * @throws KilnError UNAUTHENTICATED when the delegate is unknown, deregistered, the token does not match
   * or the delegate token of the session is revoked or expired.
   */
  async authenticate(delegateId: string, sessionToken: string): Promise<DelegateRecord> {
    const found = delegateId ? await this.options.transact(async (tx) => {
      const delegate = await tx.getDelegate(delegateId);
      const token = delegate?.tokenId === undefined ? undefined : await tx.getToken(delegate.tokenId);
      return delegate && { delegate, tokenProblem: token === undefined ? undefined : tokenProblem(token, this.options.clock()) };
    }) : undefined;
    if (found === undefined || !tokenMatches(sessionToken, found.delegate.sessionTokenHash)) {
      throw new KilnError('UNAUTHENTICATED', `delegate session ${delegateId || '(no kiln-delegate-id)'} is unknown or its token does not match; register again`);
    }
    const { delegate } = found;
    if (delegate.state === 'deregistered') {
      throw new KilnError('UNAUTHENTICATED', `delegate ${delegate.name} (${delegate.id}) is deregistered; register again`);
    }
    if (found.tokenProblem !== undefined) {
      await this.deregister(delegate, `delegate token ${delegate.tokenId ?? ''} ${found.tokenProblem}`);
      throw new KilnError('UNAUTHENTICATED', `the delegate token ${delegate.tokenId ?? ''} that delegate ${delegate.name} (${delegate.id}) registered with ${found.tokenProblem}, so its session ended; give the delegate a valid token and restart it`);
    }
    return delegate;
  }

  /** Records liveness and compares the tasks the delegate reports as its own with the store. */
  async heartbeat(delegate: DelegateRecord, report: HeartbeatReport): Promise<HeartbeatResult> {
    const result = await this.options.transact(async (tx) => {
      await tx.updateDelegate(delegate.id, { lastHeartbeatAt: this.options.clock(), slotsUsed: report.slotsUsed, state: report.draining ? 'draining' : 'connected' });
      return this.compareTasks(tx, delegate.id, report.tasks);
    });
    if (report.draining !== (delegate.state === 'draining')) this.options.onChange();
    return result;
  }

  private async compareTasks(tx: StoreOperations, delegateId: string, tasks: TaskRef[]): Promise<HeartbeatResult> {
    const result: HeartbeatResult = { lost: [], cancel: [] };
    for (const ref of tasks) {
      const task = await tx.getTask(ref.taskId);
      const held = task !== undefined && task.state === 'running' && task.delegateId === delegateId && task.attempt === ref.attempt && task.leaseId === ref.leaseId;
      if (!held) result.lost.push(ref);
      else if (task.cancelRequested) result.cancel.push(ref);
    }
    return result;
  }

  /** Ends a delegate's session; offers it had not accepted go back to the queue. */
  async deregister(delegate: DelegateRecord, reason: string): Promise<void> {
    await this.options.transact(async (tx, effects) => {
      await tx.updateDelegate(delegate.id, { state: 'deregistered' });
      for (const task of await tx.listTasks('offered')) {
        if (task.delegateId !== delegate.id) continue;
        const released = await tx.transitionTask(task.id, 'offered', { state: 'queued', offerId: undefined, offerDeadline: undefined, delegateId: undefined, offeredAt: undefined });
        if (released) effects.tasksQueued = true;
      }
    });
    this.options.logger.info({ delegateId: delegate.id, name: delegate.name, reason }, 'delegate deregistered');
    this.options.onChange();
  }
}
