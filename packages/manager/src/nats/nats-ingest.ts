import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, LOGS_STREAM, decodeEvent, decodeLogRecord, type KilnEvent, type LogRecord } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ManagerMetrics } from '../metrics.js';
import type { ApplyOutcome } from '../scheduler/event-applier.js';
import { EVENTS_CONSUMER, LOGS_CONSUMER, ensureStreamsAndConsumers } from './streams.js';

/** Target of ingested messages. The scheduler implements it. */
export interface MessageSink {
  applyEvent(event: KilnEvent): Promise<ApplyOutcome>;
  applyLogRecord(record: LogRecord): Promise<ApplyOutcome>;
}

export interface NatsIngestOptions {
  /** Comma-separated NATS server URLs. */
  servers: string;
  /** NATS user and password; without them the connection has no credentials. */
  auth?: { user: string; pass: string };
  sink: MessageSink;
  logger: Logger;
  metrics: ManagerMetrics;
  /** Delay before redelivery of a message whose store write failed, in ms; default 2000. */
  retryDelayMs?: number;
  /** Delay between attempts of the first connection, in ms; default 1000. */
  connectRetryMs?: number;
}

/** Lifecycle of the ingest. */
export type IngestState = 'starting' | 'running' | 'draining' | 'stopped';

/** Delay between attempts to set up streams and consumers after an error, in ms. */
const SETUP_RETRY_MS = 2000;
/** While NATS is unreachable at start, every this many failed attempts logs a warning (the first always does). */
const CONNECT_WARN_EVERY = 10;

/** Waits `ms`, or less when the signal aborts; the timer does not keep the process alive. */
async function delay(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Consumes KILN_LOGS and KILN_EVENTS with durable pull consumers and applies
 * each message to the store; a message is acknowledged only after its write
 * commits. The client reconnects on its own through NATS outages.
 */
export class NatsIngest {
  private state: IngestState = 'starting';
  private connection: NatsConnection | undefined;
  private connected = false;
  private consuming = 0;
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly abort = new AbortController();
  private runPromise: Promise<void> | undefined;

  constructor(private readonly options: NatsIngestOptions) {}

  /** Returns true when connected to NATS and both consumers are running. */
  isReady(): boolean {
    return this.state === 'running' && this.connected && this.consuming === 2;
  }

  /** Starts connecting and consuming in the background; errors are logged and retried. */
  start(): void {
    this.runPromise ??= this.run();
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    const servers = this.options.servers.split(',').map((server) => server.trim());
    const connection = await this.connectFirst(servers);
    if (connection === undefined) return;
    this.connection = connection;
    if (this.abort.signal.aborted) {
      await this.connection.close();
      return;
    }
    this.connected = true;
    logger.info({ servers, server: connection.getServer() }, 'connected to NATS');
    void this.watchStatus(this.connection);
    while (!this.abort.signal.aborted) {
      try {
        await ensureStreamsAndConsumers(await jetstreamManager(this.connection), logger);
        this.state = 'running';
        await Promise.all([
          this.consume(LOGS_STREAM, LOGS_CONSUMER, (message) => this.handleLog(message)),
          this.consume(EVENTS_STREAM, EVENTS_CONSUMER, (message) => this.handleEvent(message)),
        ]);
      } catch (error) {
        if (this.abort.signal.aborted) break;
        logger.error({ err: error }, 'NATS consumer failed; setting up again');
      }
      if (!this.abort.signal.aborted) await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_MS).unref());
    }
  }

  /**
   * Connects to NATS, retrying until it answers or the ingest stops, so the
   * manager can start before NATS. Logs a warning with the URLs and the error
   * on the first failure and on every {@link CONNECT_WARN_EVERY}th after it.
   * Returns undefined when stopped first.
   */
  private async connectFirst(servers: string[]): Promise<NatsConnection | undefined> {
    const retryMs = this.options.connectRetryMs ?? 1000;
    for (let attempt = 1; !this.abort.signal.aborted; attempt += 1) {
      try {
        // After the first connection the client reconnects on its own, without limit.
        return await connect({ servers, name: 'kiln-manager', maxReconnectAttempts: -1, reconnectTimeWait: 1000, ...this.options.auth });
      } catch (error) {
        if (attempt === 1 || attempt % CONNECT_WARN_EVERY === 0) {
          const message = error instanceof Error ? error.message : String(error);
          // A server that requires users rejects a client without credentials in the same way as wrong ones.
          const hint = /authorization/i.test(message) ? 'check --nats-user and --nats-password-file' : undefined;
          this.options.logger.warn({ servers, attempt, error: message, hint, retryMs }, 'cannot connect to NATS; retrying');
        }
        await delay(retryMs, this.abort.signal);
      }
    }
    return undefined;
  }

  private async watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.options.logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.options.logger.info({ server: status.server }, 'reconnected to NATS');
      }
    }
  }

  private async consume(stream: string, durable: string, handle: (message: JsMsg) => Promise<void>): Promise<void> {
    const consumer = await jetstream(this.connection as NatsConnection).consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: 256 });
    this.subscriptions.push(messages);
    this.consuming += 1;
    try {
      for await (const message of messages) await handle(message);
    } finally {
      this.consuming -= 1;
    }
  }

  private async handleLog(message: JsMsg): Promise<void> {
    let record: LogRecord;
    try {
      record = decodeLogRecord(message.data);
    } catch (error) {
      this.options.metrics.logRecordsRejected.inc({ reason: 'invalid' });
      this.options.logger.warn({ subject: message.subject, err: error }, 'dropped invalid log record');
      message.ack();
      return;
    }
    await this.applyThenAck(message, () => this.options.sink.applyLogRecord(record), { kind: 'log record', taskId: record.taskId, attempt: record.attempt, stepId: record.stepId }, 'debug');
  }

  private async handleEvent(message: JsMsg): Promise<void> {
    let event: KilnEvent;
    try {
      event = decodeEvent(message.data);
    } catch (error) {
      this.options.metrics.eventsRejected.inc({ reason: 'invalid' });
      this.options.logger.warn({ subject: message.subject, err: error }, 'dropped invalid event');
      message.ack();
      return;
    }
    await this.applyThenAck(message, () => this.options.sink.applyEvent(event), { kind: event.type, taskId: event.taskId, attempt: event.attempt }, 'warn');
  }

  /**
   * Acknowledges after the store write commits; a failed write is redelivered
   * after a delay. Rejections are counted in metrics; log records are logged
   * at debug level because a stale delegate can send many.
   */
  private async applyThenAck(message: JsMsg, apply: () => Promise<ApplyOutcome>, ids: Record<string, unknown>, rejectLevel: 'warn' | 'debug'): Promise<void> {
    let outcome: ApplyOutcome;
    try {
      outcome = await apply();
    } catch (error) {
      this.options.logger.error({ ...ids, err: error }, 'storing a NATS message failed; it will be redelivered');
      message.nak(this.options.retryDelayMs ?? 2000);
      return;
    }
    if (!outcome.applied) this.options.logger[rejectLevel]({ ...ids, reason: outcome.reason, detail: outcome.message }, 'dropped a message of a stale or unknown task');
    message.ack();
  }

  /**
   * Publishes a core NATS message, e.g. a cancel request on a delegate's
   * control subject. It is not stored, so a message sent while disconnected
   * may be lost; the RenewLease and Heartbeat replies repeat every cancel request.
   * Returns false when there is no connection to publish on.
   */
  publish(subject: string, data: Uint8Array): boolean {
    const connection = this.connection;
    if (connection === undefined || connection.isClosed()) return false;
    try {
      connection.publish(subject, data);
      return true;
    } catch (error) {
      this.options.logger.warn({ subject, err: error }, 'publishing a control message failed');
      return false;
    }
  }

  /** Stops consuming and drains the connection: acknowledgements already sent are flushed. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'draining' || this.state === 'stopped') return;
    this.state = 'draining';
    this.abort.abort();
    for (const subscription of this.subscriptions) await subscription.close();
    const connection = this.connection;
    if (connection !== undefined && !connection.isClosed()) await connection.drain();
    this.state = 'stopped';
  }
}
