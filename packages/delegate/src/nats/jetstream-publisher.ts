import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { KilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../backoff.js';
import type { DelegateMetrics } from '../metrics.js';
import { DiskSpool, type SpooledMessage } from './disk-spool.js';

export type PublishKind = 'log' | 'event';

/** How long one JetStream publish waits for its acknowledgement. */
const ACK_TIMEOUT_MS = 5_000;
/** Attempts for a message that need not be acknowledged at any cost (log batches, non-terminal events): about a minute of retries. */
const BOUNDED_ATTEMPTS = 15;

/** Publishes JSON payloads to JetStream; implemented by {@link JetStreamPublisher} and by test fakes. */
export interface Publisher {
  /**
   * Publishes until JetStream acknowledges. With `untilAcked` it retries until
   * `signal` aborts. Otherwise, after a bounded number of attempts, it writes
   * the message to the disk spool, which resends it later. Resolves true when
   * acknowledged or spooled, false when the message was dropped.
   */
  publish(subject: string, data: Uint8Array, msgID: string, options: { kind: PublishKind; untilAcked: boolean; signal?: AbortSignal }): Promise<boolean>;
  /** Reserves buffer space for `bytes`; returns false when the bounded buffer is full. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
  /** Writes a message straight to the disk spool (the memory buffer is full); resolves false when it was dropped. */
  spill(subject: string, data: Uint8Array, msgID: string, kind: PublishKind): Promise<boolean>;
}

/**
 * JetStream publisher over one NATS connection. It retries a publish with
 * backoff; JetStream drops a resent message by its `Nats-Msg-Id`, so retries do
 * not duplicate records. Messages waiting to publish are counted against a
 * bounded byte budget.
 * Messages beyond the memory budget, and log batches JetStream did not
 * acknowledge after the bounded retries, go to a {@link DiskSpool} that resends
 * them once NATS is reachable. A message that fits in neither is dropped and
 * counted, and the step's LogEnd record shows the manager that lines are missing.
 */
export class JetStreamPublisher implements Publisher {
  private bufferedBytes = 0;
  private statusLoop: Promise<void> | undefined;
  private connectedFlag = true;
  private readonly resend = new AbortController();
  private resendLoop: Promise<void> | undefined;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    private readonly metrics: DelegateMetrics | undefined,
    private readonly maxBufferedBytes: number,
    private readonly spool: DiskSpool | undefined,
  ) {
    metrics?.connected.set({ peer: 'nats' }, 1);
    this.statusLoop = this.watchStatus().catch((error: unknown) => {
      logger.error({ err: error }, 'nats status watcher failed');
    });
    this.resendLoop = spool?.resendUntil((message) => this.sendSpooled(message), () => this.connected, this.resend.signal).catch((error: unknown) => {
      logger.error({ err: error }, 'resending spooled messages failed');
    });
  }

  /**
   * Connects to the first reachable server, retrying with backoff until `signal` aborts.
   * @throws KilnError ABORTED when `signal` aborts first.
   */
  static async connect(
    servers: string[],
    options: { name: string; auth?: { user: string; pass: string }; logger: Logger; metrics?: DelegateMetrics; maxBufferedBytes?: number; signal: AbortSignal; spoolDir?: string },
  ): Promise<JetStreamPublisher> {
    const backoff = new Backoff(250, 10_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const credentials = options.auth === undefined ? {} : { user: options.auth.user, pass: options.auth.pass };
        const connection = await connect({ servers, name: options.name, maxReconnectAttempts: -1, reconnectTimeWait: 1000, ...credentials });
        options.logger.info({ servers }, 'nats connected');
        const spool = options.spoolDir === undefined ? undefined : new DiskSpool(options.spoolDir, options.logger, options.metrics);
        return new JetStreamPublisher(connection, jetstream(connection), options.logger, options.metrics, options.maxBufferedBytes ?? 64 * 1024 * 1024, spool);
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
        if (this.connectedFlag) this.metrics?.natsReconnects.inc();
        this.metrics?.connected.set({ peer: 'nats' }, this.connectedFlag ? 1 : 0);
        this.logger.warn({ server: status.server }, this.connectedFlag ? 'nats reconnected' : 'nats disconnected');
      }
    }
  }

  /** Subscribes to a core NATS subject on this connection; the subscription survives reconnects. */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): Subscription {
    return this.connection.subscribe(subject, {
      callback: (error, message) => {
        if (error !== null) this.logger.warn({ subject, err: error }, 'nats subscription error');
        else onMessage(message.data);
      },
    });
  }

  tryReserve(bytes: number): boolean {
    if (this.bufferedBytes + bytes > this.maxBufferedBytes) return false;
    this.bufferedBytes += bytes;
    this.metrics?.logBufferBytes.set(this.bufferedBytes);
    return true;
  }

  release(bytes: number): void {
    this.bufferedBytes = Math.max(0, this.bufferedBytes - bytes);
    this.metrics?.logBufferBytes.set(this.bufferedBytes);
  }

  async publish(subject: string, data: Uint8Array, msgID: string, options: { kind: PublishKind; untilAcked: boolean; signal?: AbortSignal }): Promise<boolean> {
    const backoff = new Backoff(100, 5_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: ACK_TIMEOUT_MS });
        return true;
      } catch (error) {
        const outOfAttempts = !options.untilAcked && attempt >= BOUNDED_ATTEMPTS;
        const giveUp = options.signal?.aborted === true || outOfAttempts || this.connection.isClosed();
        this.logger.warn({ subject, msgID, attempt, giveUp, err: error }, 'jetstream publish failed');
        if (outOfAttempts && this.spool !== undefined) return this.spill(subject, data, msgID, options.kind);
        if (giveUp) return false;
        this.metrics?.publishRetries.inc({ kind: options.kind });
        await sleep(backoff.next(), options.signal);
      }
    }
  }

  async spill(subject: string, data: Uint8Array, msgID: string, kind: PublishKind): Promise<boolean> {
    if (this.spool === undefined) return false;
    return this.spool.append({ subject, msgID, kind, data: Buffer.from(data).toString('base64') });
  }

  private async sendSpooled(message: SpooledMessage): Promise<boolean> {
    try {
      await this.js.publish(message.subject, Buffer.from(message.data, 'base64'), { msgID: message.msgID, timeout: ACK_TIMEOUT_MS });
      return true;
    } catch (error) {
      this.logger.warn({ msgID: message.msgID, err: error }, 'resending a spooled message failed; retrying later');
      return false;
    }
  }

  /**
   * Tries once to resend what the spool holds, then drains the connection so
   * that buffered publishes are flushed, and closes it. Messages still spooled
   * stay on disk for the next start. Idempotent.
   */
  async close(): Promise<void> {
    this.resend.abort();
    await this.resendLoop;
    if (this.spool !== undefined && !this.spool.empty && this.connected) {
      await this.spool.resendOnce((message) => this.sendSpooled(message)).catch((error: unknown) => this.logger.warn({ err: error }, 'resending spooled messages failed'));
    }
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
