import { randomUUID } from 'node:crypto';
import { KilnError, type KilnEvent, type LogRecord } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ManagerMetrics } from '../metrics.js';
import type { DelegateRecord, EpochMs, ExecutionRecord, StageRecord, StepRecord, Store, StoreOperations, TaskRecord } from '../store/store.js';
import { ChangeNotifier } from './change-notifier.js';
import { CommitEffects } from './commit-effects.js';
import { DelegateRegistry } from './delegate-registry.js';
import { EventApplier, type ApplyOutcome } from './event-applier.js';
import { ExecutionProgress } from './execution-progress.js';
import { findPipeline, startExecution, type StartRequest } from './execution-starter.js';
import { LostAttempts } from './lost-attempts.js';
import { TaskDispatcher } from './task-dispatcher.js';

/** Default time without a heartbeat after which a delegate is lost: 15 s. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;
/** Default time a task may wait in the queue before its execution expires: 24 h. */
export const DEFAULT_QUEUE_TTL_MS = 24 * 60 * 60 * 1000;

/** A task a delegate should stop, sent on the delegate's control subject. */
export interface ControlRequest {
  delegateId: string;
  /** Configured name of the delegate, which names its control subject `kiln.control.<name>`. */
  delegateName: string;
  taskId: string;
  attempt: number;
  leaseId: string;
  reason: string;
}

/**
 * Push channel to delegates. The NATS control subject implements it; the
 * RenewLease and Heartbeat replies carry the same requests when a push is lost.
 */
export interface ControlChannel {
  cancelTask(request: ControlRequest): void;
}

export interface SchedulerOptions {
  store: Store;
  logger: Logger;
  metrics: ManagerMetrics;
  pollTimeoutMs: number;
  offerAckDeadlineMs: number;
  leaseTtlMs: number;
  heartbeatIntervalMs: number;
  /** A delegate without a heartbeat for this long is lost and its tasks' attempts end as lost; default {@link DEFAULT_HEARTBEAT_TIMEOUT_MS}. */
  heartbeatTimeoutMs?: number;
  /** A task queued for longer than this expires with its execution; default {@link DEFAULT_QUEUE_TTL_MS}. */
  queueTtlMs?: number;
  /** Channel that receives cancel requests after they commit; none by default. */
  control?: ControlChannel;
  /** How often offers and leases are checked for expiry; default 1000 ms. */
  sweepIntervalMs?: number;
  clock?: () => EpochMs;
  newId?: () => string;
}

/** An execution with its stages, steps and the delegates that ran them. */
export interface ExecutionView {
  execution: ExecutionRecord;
  stages: StageRecord[];
  steps: StepRecord[];
  tasks: TaskRecord[];
  delegates: Map<string, DelegateRecord>;
}

/**
 * The manager's domain core: starts and cancels executions, hands tasks to
 * delegates and applies their events. It imports neither gRPC nor NATS.
 */
export class Scheduler {
  readonly notifier = new ChangeNotifier();
  readonly progress: ExecutionProgress;
  readonly dispatcher: TaskDispatcher;
  readonly delegates: DelegateRegistry;
  private readonly applier: EventApplier;
  private readonly clock: () => EpochMs;
  private readonly newId: () => string;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    const delegateStaleAfterMs = options.heartbeatIntervalMs * 3;
    this.progress = new ExecutionProgress({ clock: this.clock, newId: this.newId, delegateStaleAfterMs });
    const transact = this.transact.bind(this);
    const lost = new LostAttempts({ progress: this.progress, clock: this.clock });
    this.dispatcher = new TaskDispatcher({
      ...options, transact, progress: this.progress, clock: this.clock, newId: this.newId, delegateStaleAfterMs, lost,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      queueTtlMs: options.queueTtlMs ?? DEFAULT_QUEUE_TTL_MS,
      startedAt: this.clock(),
    });
    this.delegates = new DelegateRegistry({ transact, logger: options.logger, clock: this.clock, newId: this.newId, onChange: () => this.sweepSoon() });
    this.applier = new EventApplier({ progress: this.progress, attempts: lost, clock: this.clock });
  }

  /** Runs `work` in one transaction, then wakes long polls, notifies followers and counts finished executions. */
  async transact<T>(work: (tx: StoreOperations, effects: CommitEffects) => Promise<T>): Promise<T> {
    const effects = new CommitEffects();
    const result = await this.options.store.transaction((tx) => work(tx, effects));
    for (const status of effects.finishedStatuses) this.options.metrics.executionsTotal.inc({ status });
    if (effects.tasksQueued) this.dispatcher.wake();
    for (const executionId of effects.changedExecutions) this.notifier.notify(executionId);
    return result;
  }

  async startExecution(request: StartRequest): Promise<ExecutionView> {
    const execution = await this.transact((tx, effects) => startExecution(tx, effects, this.progress, request, { clock: this.clock, newId: this.newId }));
    this.options.logger.info({ executionId: execution.id, pipeline: execution.pipelineIdentifier, sequenceId: execution.sequenceId }, 'execution started');
    return this.getExecution(execution.id);
  }

  /** Looks up an execution by id or `PIPELINE/SEQUENCE_ID`. @throws KilnError NOT_FOUND. */
  async resolveExecution(tx: StoreOperations, reference: string): Promise<ExecutionRecord> {
    const slash = reference.lastIndexOf('/');
    const sequence = slash > 0 ? Number(reference.slice(slash + 1)) : Number.NaN;
    if (Number.isInteger(sequence) && sequence > 0) {
      const pipeline = await findPipeline(tx, reference.slice(0, slash));
      const execution = await tx.getExecutionBySequence(pipeline.id, sequence);
      if (execution !== undefined) return execution;
      throw new KilnError('NOT_FOUND', `execution ${reference} not found: pipeline ${pipeline.identifier} has ${pipeline.nextSequenceId - 1} executions`);
    }
    const execution = await tx.getExecution(reference);
    if (execution === undefined) {
      throw new KilnError('NOT_FOUND', `execution ${reference} not found; give an execution id or PIPELINE/SEQUENCE_ID (list them with \`kiln executions\`)`);
    }
    return execution;
  }

  async getExecution(reference: string): Promise<ExecutionView> {
    return this.transact(async (tx) => {
      const execution = await this.resolveExecution(tx, reference);
      const tasks = await tx.listExecutionTasks(execution.id);
      const delegates = new Map<string, DelegateRecord>();
      for (const task of tasks) {
        if (task.delegateId === undefined || delegates.has(task.delegateId)) continue;
        const delegate = await tx.getDelegate(task.delegateId);
        if (delegate !== undefined) delegates.set(delegate.id, delegate);
      }
      return { execution, stages: await tx.listStages(execution.id), steps: await tx.listSteps(execution.id), tasks, delegates };
    });
  }

  async listExecutions(filter: { pipeline?: string; status?: string; limit?: number }): Promise<ExecutionView[]> {
    const records = await this.transact((tx) =>
      tx.listExecutions({ pipelineIdentifier: filter.pipeline?.split('/').pop(), status: filter.status, limit: filter.limit && filter.limit > 0 ? filter.limit : 50 }),
    );
    const views: ExecutionView[] = [];
    for (const record of records) views.push(await this.getExecution(record.id));
    return views;
  }

  async cancelExecution(reference: string): Promise<ExecutionView> {
    const execution = await this.transact(async (tx, effects) => {
      const record = await this.resolveExecution(tx, reference);
      await this.progress.cancel(tx, effects, record);
      return record;
    });
    this.options.logger.info({ executionId: execution.id }, 'execution cancel requested');
    const view = await this.getExecution(execution.id);
    this.pushCancels(view.tasks, view.delegates);
    return view;
  }

  /**
   * Pushes a cancel request for each running task with one on the control channel of its delegate. A task whose
   * delegate record is gone gets its cancel from the next RenewLease reply instead.
   */
  private pushCancels(tasks: readonly TaskRecord[], delegates: ReadonlyMap<string, DelegateRecord>): void {
    const control = this.options.control;
    if (control === undefined) return;
    for (const task of tasks) {
      if (task.state !== 'running' || !task.cancelRequested || task.delegateId === undefined || task.leaseId === undefined) continue;
      const delegate = delegates.get(task.delegateId);
      if (delegate === undefined) continue;
      control.cancelTask({
        delegateId: task.delegateId, delegateName: delegate.name, taskId: task.id, attempt: task.attempt, leaseId: task.leaseId, reason: 'execution cancelled by user',
      });
    }
  }

  async applyEvent(event: KilnEvent): Promise<ApplyOutcome> {
    const outcome = await this.transact((tx, effects) => this.applier.applyEvent(tx, effects, event));
    if (outcome.applied) this.options.metrics.eventsTotal.inc({ type: event.type });
    else this.options.metrics.eventsRejected.inc({ reason: outcome.reason });
    return outcome;
  }

  async applyLogRecord(record: LogRecord): Promise<ApplyOutcome> {
    const result = await this.transact((tx, effects) => this.applier.applyLogRecord(tx, effects, record));
    this.options.metrics.logLinesStored.inc(result.stored);
    this.options.metrics.logLinesDuplicate.inc(result.duplicates);
    if (!result.outcome.applied) this.options.metrics.logRecordsRejected.inc({ reason: result.outcome.reason });
    return result.outcome;
  }

  /** Runs one sweep now; at most one sweep runs at a time. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.dispatcher.sweep();
    } finally {
      this.sweeping = false;
    }
  }

  private sweepSoon(): void {
    this.sweep().catch((error: unknown) => this.options.logger.error({ err: error }, 'sweep failed'));
  }

  /** Starts the periodic sweep of offers and leases, and wakes polls for tasks queued before a restart. */
  start(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(() => this.sweepSoon(), this.options.sweepIntervalMs ?? 1000);
    this.sweepTimer.unref();
    this.sweepSoon();
  }

  /** Stops the sweep and ends open long polls with no offer. */
  stop(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.dispatcher.close();
  }
}
