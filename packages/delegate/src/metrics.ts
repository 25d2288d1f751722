import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

export type StepResult = 'succeeded' | 'failed' | 'aborted' | 'skipped';

/** The delegate's Prometheus metrics, registered on an injected registry. Labels come from bounded sets only. */
export class DelegateMetrics {
  readonly tasksRunning: Gauge;
  readonly taskDuration: Histogram<'result'>;
  readonly logBufferBytes: Gauge;
  readonly slots: Gauge<'state'>;
  readonly stepDuration: Histogram<'type' | 'result'>;
  readonly buildDuration: Histogram<'builder' | 'result'>;
  readonly imagesPushed: Counter;
  readonly logLinesPublished: Counter;
  readonly logLinesDropped: Counter;
  readonly publishRetries: Counter<'kind'>;
  readonly connected: Gauge<'peer'>;
  readonly spoolBytes: Gauge;
  readonly spooled: Counter<'kind'>;
  readonly spoolDropped: Counter<'kind'>;
  readonly natsReconnects: Counter;
  readonly leaseRenewals: Counter<'result'>;

  constructor(readonly registry: Registry, options: { defaultMetrics?: boolean } = {}) {
    const registers = [registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
    this.tasksRunning = new Gauge({ name: 'kiln_delegate_tasks_running', help: 'Stage tasks this delegate is running.', registers });
    this.taskDuration = new Histogram({
      name: 'kiln_delegate_task_duration_seconds',
      help: 'Duration of stage tasks from acceptance to their final status, by result.',
      labelNames: ['result'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.logBufferBytes = new Gauge({ name: 'kiln_delegate_log_buffer_bytes', help: 'Bytes of log records and events held in memory until JetStream acknowledges them.', registers });
    this.slots = new Gauge({ name: 'kiln_delegate_slots', help: 'Task slots by state (used or free).', labelNames: ['state'], registers });
    this.stepDuration = new Histogram({
      name: 'kiln_delegate_step_duration_seconds',
      help: 'Duration of steps by step type and result.',
      labelNames: ['type', 'result'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.buildDuration = new Histogram({
      name: 'kiln_delegate_build_duration_seconds',
      help: 'Duration of image builds including pushes, by builder and result.',
      labelNames: ['builder', 'result'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    });
    this.imagesPushed = new Counter({ name: 'kiln_delegate_images_pushed_total', help: 'Image tags pushed to registries.', registers });
    this.logLinesPublished = new Counter({ name: 'kiln_delegate_log_lines_published_total', help: 'Log lines acknowledged by JetStream.', registers });
    this.logLinesDropped = new Counter({
      name: 'kiln_delegate_log_lines_dropped_total',
      help: 'Log lines dropped because the publish buffer was full or JetStream never acknowledged them.',
      registers,
    });
    this.publishRetries = new Counter({
      name: 'kiln_delegate_publish_retries_total',
      help: 'JetStream publish attempts that failed and were retried, by kind (log or event).',
      labelNames: ['kind'],
      registers,
    });
    this.connected = new Gauge({ name: 'kiln_delegate_connected', help: '1 when connected to the peer (manager or nats), else 0.', labelNames: ['peer'], registers });
    this.spoolBytes = new Gauge({ name: 'kiln_delegate_spool_bytes', help: 'Bytes of messages waiting in the disk spool for JetStream.', registers });
    this.spooled = new Counter({ name: 'kiln_delegate_spooled_total', help: 'Messages written to the disk spool, by kind (log or event).', labelNames: ['kind'], registers });
    this.spoolDropped = new Counter({
      name: 'kiln_delegate_spool_dropped_total',
      help: 'Messages dropped because the disk spool was full or could not be written, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.natsReconnects = new Counter({ name: 'kiln_delegate_nats_reconnects_total', help: 'Reconnects to NATS after a disconnect.', registers });
    this.leaseRenewals = new Counter({
      name: 'kiln_delegate_lease_renewals_total',
      help: 'RenewLease calls by result: renewed, lost (the manager answered LEASE_LOST) or failed (retried).',
      labelNames: ['result'],
      registers,
    });
    this.connected.set({ peer: 'manager' }, 0);
    this.connected.set({ peer: 'nats' }, 0);
  }

  setSlots(used: number, capacity: number): void {
    this.slots.set({ state: 'used' }, used);
    this.slots.set({ state: 'free' }, capacity - used);
    this.tasksRunning.set(used);
  }
}
