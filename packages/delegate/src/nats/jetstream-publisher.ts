import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { KilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../backoff.js';
import type { DelegateMetrics } from '../metrics.js';

export type PublishKind = 'log' | 'event';

/** How long one JetStream publish waits for its acknowledgement. */
const ACK_TIMEOUT_MS = 5_000;
/** Attempts for a message that need not be acknowledged at any cost (log batches, non-terminal events): about a minute of retries. */
const BOUNDED_ATTEMPTS = 15;

/** Publishes JSON payloads to JetStream; implemented by {@link JetStreamPublisher} and by test fakes. */
export interface Publisher {
  /**
   * Publishes until JetStream acknowledges. With `untilAcked` it retries until
   * `signal` aborts; otherwise it gives up after a bounded number of attempts.
   * Resolves true when acknowledged.
   */
  publish(subject: string, data: Uint8Array, msgID: string, options: { kind: PublishKind; untilAcked: boolean; signal?: AbortSignal }): Promise<boolean>;
  /** Reserves buffer space for `bytes`; returns false when the bounded buffer is full. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
}

/**
 * JetStream publisher over one NATS connection. It retries a publish with
 * backoff; JetStream drops a resent message by its `Nats-Msg-Id`, so retries do
 * not duplicate records. Messages waiting to publish are counted against a
 * bounded byte budget.
 * NOTE: nothing spills to disk. When NATS stays unreachable, log batches beyond
 * the budget are dropped and counted, and the step's LogEnd record shows the manager that lines are missing.
 */
export class JetStreamPublisher implements Publisher {
  private bufferedBytes = 0;
  private statusLoop: Promise<void> | undefined;
  private connectedFlag = true;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    private readonly metrics: DelegateMetrics | undefined,
    private readonly maxBufferedBytes: number,
  ) {
    metrics?.connected.set({ peer: 'nats' }, 1);
    this.statusLoop = this.watchStatus().catch((error: unknown) => {
      logger.error({ err: error }, 'nats status watcher failed');
    });
  }

  /**
   * Connects to the first reachable server, retrying with backoff until `signal` aborts.
   * @throws KilnError ABORTED when `signal` aborts first.
   */
  static async connect(
    servers: string[],
    options: { name: string; logger: Logger; metrics?: DelegateMetrics; maxBufferedBytes?: number; signal: AbortSignal },
  ): Promise<JetStreamPublisher> {
    const backoff = new Backoff(250, 10_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const connection = await connect({ servers, name: options.name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
        options.logger.info({ servers }, 'nats connected');
        return new JetStreamPublisher(connection, jetstream(connection), options.logger, options.metrics, options.maxBufferedBytes ?? 64 * 1024 * 1024);
      } catch (error) {
        if (options.signal.aborted) throw new KilnError('ABORTED', 'nats connect stopped by shutdown', { cause: error });
        const delayMs = backoff.next();
        options.logger.warn({ servers, attempt, delayMs, err: error }, 'nats not reachable, retrying connect');
        await sleep(delayMs, options.signal);
      }
    }
  }

  get connected(): boolean {
    return this.connectedFlag && !this.connection.isClosed();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.connectedFlag = status.type === 'reconnect';
        this.metrics?.connected.set({ peer: 'nats' }, this.connectedFlag ? 1 : 0);
        this.logger.warn({ server: status.server }, this.connectedFlag ? 'nats reconnected' : 'nats disconnected');
      }
    }
  }

  tryReserve(bytes: number): boolean {
    if (this.bufferedBytes + bytes > this.maxBufferedBytes) return false;
    this.bufferedBytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.bufferedBytes = Math.max(0, this.bufferedBytes - bytes);
  }

  async publish(subject: string, data: Uint8Array, msgID: string, options: { kind: PublishKind; untilAcked: boolean; signal?: AbortSignal }): Promise<boolean> {
    const backoff = new Backoff(100, 5_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: ACK_TIMEOUT_MS });
        return true;
      } catch (error) {
        const giveUp = options.signal?.aborted === true || (!options.untilAcked && attempt >= BOUNDED_ATTEMPTS) || this.connection.isClosed();
        this.logger.warn({ subject, msgID, attempt, giveUp, err: error }, 'jetstream publish failed');
        if (giveUp) return false;
        this.metrics?.publishRetries.inc({ kind: options.kind });
        await sleep(backoff.next(), options.signal);
      }
    }
  }

  /** Drains the connection, so that buffered publishes are flushed, then closes it. Idempotent. */
  async close(): Promise<void> {
    if (!this.connection.isClosed()) {
      try {
        await this.connection.drain();
      } catch (error) {
        this.logger.warn({ err: error }, 'nats drain failed, closing');
        await this.connection.close();
      }
    }
    this.metrics?.connected.set({ peer: 'nats' }, 0);
    await this.statusLoop;
  }
}
