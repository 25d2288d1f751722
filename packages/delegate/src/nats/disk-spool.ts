import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { sleep } from '../backoff.js';
import type { DelegateMetrics } from '../metrics.js';

/** Bytes the spool may hold on disk: 256 MiB. A message that does not fit is dropped and counted. */
export const SPOOL_MAX_BYTES = 256 * 1024 * 1024;
/** How often the spool looks for messages to resend while it is not empty, in ms. */
const RESEND_INTERVAL_MS = 1_000;

/** A message waiting on disk for JetStream. */
export interface SpooledMessage {
  subject: string;
  msgID: string;
  kind: 'log' | 'event';
  /** The payload, base64-encoded. */
  data: string;
}

/** Publishes one spooled message; resolves true when JetStream acknowledged it. */
export type SpoolSender = (message: SpooledMessage) => Promise<boolean>;

/**
 * Messages JetStream did not acknowledge in time, kept as one file each in
 * `<workDir>/spool` and resent in the order they were written once NATS is
 * reachable. JetStream drops a resent message whose `Nats-Msg-Id` it stored
 * within its duplicate window, and the manager stores each log line once, so
 * a message sent twice is harmless. The spool is bounded by
 * {@link SPOOL_MAX_BYTES}; files left by an earlier run are resent too.
 */
export class DiskSpool {
  private bytes = 0;
  private counter = 0;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: DelegateMetrics | undefined,
    private readonly maxBytes = SPOOL_MAX_BYTES,
  ) {}

  /** Creates the directory and counts files an earlier run left. */
  private open(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      for (const name of await readdir(this.dir)) {
        this.bytes += (await stat(path.join(this.dir, name))).size;
        this.counter = Math.max(this.counter, Number.parseInt(name, 10) || 0);
      }
      this.metrics?.spoolBytes.set(this.bytes);
      if (this.bytes > 0) this.logger.info({ dir: this.dir, bytes: this.bytes }, 'found spooled messages from an earlier run; resending them');
    })();
    return this.ready;
  }

  /** Writes a message to the spool; returns false (and counts the drop) when the spool is full or the write fails. */
  async append(message: SpooledMessage): Promise<boolean> {
    await this.open();
    const text = JSON.stringify(message);
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.maxBytes) {
      this.metrics?.spoolDropped.inc({ kind: message.kind });
      this.logger.error({ msgID: message.msgID, spoolBytes: this.bytes, maxBytes: this.maxBytes }, 'spool full, dropping a message');
      return false;
    }
    this.counter += 1;
    const name = `${String(this.counter).padStart(12, '0')}.json`;
    try {
      await writeFile(path.join(this.dir, name), text, { mode: 0o600 });
    } catch (error) {
      this.metrics?.spoolDropped.inc({ kind: message.kind });
      this.logger.error({ msgID: message.msgID, err: error }, 'writing to the spool failed, dropping a message');
      return false;
    }
    this.bytes += size;
    this.metrics?.spoolBytes.set(this.bytes);
    this.metrics?.spooled.inc({ kind: message.kind });
    this.logger.warn({ msgID: message.msgID, spoolBytes: this.bytes }, 'message spooled to disk until NATS acknowledges it');
    return true;
  }

  /** True when no message waits on disk. */
  get empty(): boolean {
    return this.bytes === 0;
  }

  /** Resends spooled messages, oldest first, until `signal` aborts. A message stays on disk until `send` succeeds. */
  async resendUntil(send: SpoolSender, canSend: () => boolean, signal: AbortSignal): Promise<void> {
    await this.open();
    while (!signal.aborted) {
      if (!this.empty && canSend()) await this.resendOnce(send, signal);
      await sleep(RESEND_INTERVAL_MS, signal);
    }
  }

  /** Sends every spooled message in order; stops at the first one JetStream does not acknowledge. */
  async resendOnce(send: SpoolSender, signal?: AbortSignal): Promise<void> {
    await this.open();
    const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    for (const name of names) {
      if (signal?.aborted === true) return;
      const file = path.join(this.dir, name);
      const text = await readFile(file, 'utf8');
      let message: SpooledMessage;
      try {
        message = JSON.parse(text) as SpooledMessage;
      } catch (error) {
        this.logger.error({ file, err: error }, 'spooled message is not valid JSON; removing it');
        await this.remove(file, text);
        continue;
      }
      if (!(await send(message))) return;
      await this.remove(file, text);
      this.logger.info({ msgID: message.msgID }, 'spooled message resent');
    }
  }

  private async remove(file: string, text: string): Promise<void> {
    await rm(file, { force: true });
    this.bytes = Math.max(0, this.bytes - Buffer.byteLength(text));
    this.metrics?.spoolBytes.set(this.bytes);
  }
}
