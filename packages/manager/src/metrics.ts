import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** Results of an AcquireTask long poll. */
export type AcquireResult = 'offered' | 'empty' | 'cancelled';

/** Reason the manager dropped a NATS message without applying it. */
export type RejectReason = 'invalid' | 'unknown_task' | 'stale_lease' | 'lease_expired' | 'scope_mismatch';

/** The manager's metrics, all registered on one injected Registry. Labels come from bounded sets only. */
export interface ManagerMetrics {
  registry: Registry;
  executionsTotal: Counter<'status'>;
  tasks: Gauge<'state' | 'reason'>;
  oldestQueuedTaskAge: Gauge;
  scheduleToStart: Histogram;
  delegates: Gauge<'state'>;
  acquirePolls: Counter<'result'>;
  logLinesStored: Counter;
  logLinesDuplicate: Counter;
  logRecordsRejected: Counter<'reason'>;
  eventsTotal: Counter<'type'>;
  eventsRejected: Counter<'reason'>;
  leaseExpiries: Counter;
  offersExpired: Counter;
  attemptsLost: Counter<'cause'>;
  tasksExpired: Counter;
  grpcHandling: Histogram<'method'>;
}

/** Sources the gauges read at scrape time, so they reflect the store and not a cache. */
export interface GaugeSources {
  countTasks(): Promise<{ state: string; reason: string; count: number }[]>;
  /** Epoch milliseconds when the longest-waiting queued task was queued; undefined when none waits. */
  oldestQueuedAt(): Promise<number | undefined>;
  countDelegates(): Promise<{ state: string; count: number }[]>;
}

/** Creates and registers the manager's metrics and the default process metrics. */
export function createMetrics(registry: Registry, sources: GaugeSources): ManagerMetrics {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    executionsTotal: new Counter({ name: 'kiln_executions_total', help: 'Executions that reached a final status, by status.', labelNames: ['status'], registers }),
    tasks: new Gauge({
      name: 'kiln_tasks',
      help: 'Stage tasks not yet done, by state and the reason a queued task waits.',
      labelNames: ['state', 'reason'],
      registers,
      async collect() {
        this.reset();
        for (const row of await sources.countTasks()) this.set({ state: row.state, reason: row.reason || 'none' }, row.count);
      },
    }),
    oldestQueuedTaskAge: new Gauge({
      name: 'kiln_oldest_queued_task_age_seconds',
      help: 'How long the longest-waiting queued stage task has waited, in seconds; 0 when none waits.',
      registers,
      async collect() {
        const oldest = await sources.oldestQueuedAt();
        this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    }),
    scheduleToStart: new Histogram({
      name: 'kiln_task_schedule_to_start_seconds',
      help: 'Time from queuing a stage task to a delegate accepting it, in seconds.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    delegates: new Gauge({
      name: 'kiln_delegates',
      help: 'Registered delegates by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const row of await sources.countDelegates()) this.set({ state: row.state }, row.count);
      },
    }),
    acquirePolls: new Counter({ name: 'kiln_acquire_polls_total', help: 'AcquireTask long polls by result (offered, empty, cancelled).', labelNames: ['result'], registers }),
    logLinesStored: new Counter({ name: 'kiln_log_lines_stored_total', help: 'Log lines stored.', registers }),
    logLinesDuplicate: new Counter({ name: 'kiln_log_lines_duplicate_total', help: 'Log lines received again and ignored.', registers }),
    logRecordsRejected: new Counter({ name: 'kiln_log_records_rejected_total', help: 'Log records dropped without storing, by reason.', labelNames: ['reason'], registers }),
    eventsTotal: new Counter({ name: 'kiln_events_total', help: 'Status events applied, by type.', labelNames: ['type'], registers }),
    eventsRejected: new Counter({ name: 'kiln_events_rejected_total', help: 'Status events dropped without applying, by reason.', labelNames: ['reason'], registers }),
    leaseExpiries: new Counter({ name: 'kiln_lease_expiries_total', help: 'Task leases that expired because the delegate stopped renewing them.', registers }),
    offersExpired: new Counter({ name: 'kiln_task_offers_expired_total', help: 'Offers not accepted before their ack deadline; the task went back to the queue.', registers }),
    attemptsLost: new Counter({
      name: 'kiln_task_attempts_lost_total',
      help: 'Task attempts ended as lost, by cause (lease_expired, delegate_lost).',
      labelNames: ['cause'],
      registers,
    }),
    tasksExpired: new Counter({ name: 'kiln_tasks_expired_total', help: 'Tasks that waited in the queue longer than the queue TTL.', registers }),
    grpcHandling: new Histogram({
      name: 'kiln_grpc_handling_seconds',
      help: 'Time to handle a gRPC call, by method; AcquireTask includes its long poll.',
      labelNames: ['method'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60],
      registers,
    }),
  };
}
