import { encodeJson, logMessageId, logSubject, type LogBatch, type LogEnd, type LogLineRecord, type LogStream, type TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { DelegateMetrics } from '../metrics.js';
import type { SecretMasker } from '../secrets/secret-masker.js';
import type { Publisher } from './jetstream-publisher.js';

/** Maximum line size kept whole, in bytes; longer lines are cut so that one batch stays under the NATS payload limit. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Largest encoded batch published as one message, in bytes. nats-server's default max_payload is 1 MiB;
 * half of it leaves room for the batch's own fields and for a server configured lower.
 */
export const MAX_BATCH_BYTES = 512 * 1024;

export interface StepLogOptions {
  publisher: Publisher;
  scope: TaskScope;
  stepId: string;
  masker: SecretMasker;
  /** Time after the first buffered line before the batch is published, in milliseconds. */
  flushIntervalMs: number;
  /** Buffered size in bytes that publishes the batch at once. */
  flushBytes: number;
  logger: Logger;
  metrics?: DelegateMetrics;
  /** Aborts the retries of the LogEnd record, which is otherwise published until acknowledged. */
  abandonSignal?: AbortSignal;
  now?: () => number;
}

function truncate(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= MAX_LINE_BYTES) return text;
  const kept = Buffer.from(text).subarray(0, MAX_LINE_BYTES).toString('utf8').replace(/\uFFFD$/, '');
  return `${kept} [line cut: ${bytes - Buffer.byteLength(kept)} more bytes]`;
}

/**
 * The log of one step: masks secrets in each line, numbers lines from 1,
 * publishes them in batches to `kiln.logs.<execution>.<stage>.<step>` and
 * closes with a {@link LogEnd} completeness record. Batches are published one
 * after another, so JetStream stores them in sequence order.
 */
export class StepLog {
  private seq = 0;
  private byteCount = 0;
  private pending: LogLineRecord[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private ended = false;
  private readonly subject: string;
  private readonly now: () => number;

  constructor(private readonly options: StepLogOptions) {
    this.subject = logSubject(options.scope.executionId, options.scope.stageId, options.stepId);
    this.now = options.now ?? Date.now;
  }

  /** Adds one line (without its newline) of `stream`. Lines written after {@link end} are ignored. */
  write(stream: LogStream, text: string): void {
    if (this.ended) return;
    const line = truncate(this.options.masker.mask(text));
    this.seq += 1;
    this.byteCount += Buffer.byteLength(line);
    const record: LogLineRecord = { seq: this.seq, ts: this.now(), stream, text: line };
    this.pending.push(record);
    // Count the line as encoded, field names and escapes included: for short lines they outweigh the text.
    this.pendingBytes += Buffer.byteLength(JSON.stringify(record)) + 1;
    if (this.pendingBytes >= Math.min(this.options.flushBytes, MAX_BATCH_BYTES)) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  system(text: string): void {
    this.write('system', text);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.options.publisher.tryReserve(bytes)) {
      this.chain = this.chain
        .then(() => this.spillBatch(lines))
        .catch((error: unknown) => this.options.logger.error({ stepId: this.options.stepId, err: error }, 'log batch spill failed'));
      return;
    }
    this.chain = this.chain
      .then(() => this.publishBatch(lines, bytes))
      .catch((error: unknown) => this.options.logger.error({ stepId: this.options.stepId, err: error }, 'log batch publish failed'));
  }

  /** Writes a batch the memory buffer has no room for to the disk spool, or drops and counts it when the spool is full too. */
  private async spillBatch(lines: LogLineRecord[]): Promise<void> {
    const { scope, stepId } = this.options;
    const batch: LogBatch = { ...scope, kind: 'lines', stepId, lines };
    const spilled = await this.options.publisher.spill(this.subject, encodeJson(batch), logMessageId(scope.taskId, scope.attempt, stepId, lines[0]?.seq ?? 0), 'log');
    if (spilled) return;
    this.options.metrics?.logLinesDropped.inc(lines.length);
    this.options.logger.warn({ stepId, lines: lines.length }, 'log buffer and spool full, dropping log lines');
  }

  private async publishBatch(lines: LogLineRecord[], bytes: number): Promise<void> {
    try {
      await this.publishLines(lines);
    } finally {
      this.options.publisher.release(bytes);
    }
  }

  /** Publishes `lines` as one message, or in halves when the encoded batch is over {@link MAX_BATCH_BYTES}. */
  private async publishLines(lines: LogLineRecord[]): Promise<void> {
    const { scope, stepId } = this.options;
    const firstSeq = lines[0]?.seq ?? 0;
    const payload = encodeJson({ ...scope, kind: 'lines', stepId, lines } satisfies LogBatch);
    if (payload.byteLength > MAX_BATCH_BYTES && lines.length > 1) {
      const half = Math.ceil(lines.length / 2);
      await this.publishLines(lines.slice(0, half));
      await this.publishLines(lines.slice(half));
      return;
    }
    const acked = await this.options.publisher.publish(this.subject, payload, logMessageId(scope.taskId, scope.attempt, stepId, firstSeq), { kind: 'log', untilAcked: false });
    if (acked) this.options.metrics?.logLinesPublished.inc(lines.length);
    else this.options.metrics?.logLinesDropped.inc(lines.length);
  }

  /**
   * Publishes the buffered lines, then the LogEnd record, retrying it until
   * acknowledged or until `abandonSignal` aborts. Returns the record.
   */
  async end(): Promise<LogEnd> {
    if (!this.ended) {
      this.flush();
      this.ended = true;
    }
    await this.chain;
    const { scope, stepId } = this.options;
    const record: LogEnd = { ...scope, kind: 'end', stepId, lastSeq: this.seq, lineCount: this.seq, byteCount: this.byteCount };
    const msgID = `${logMessageId(scope.taskId, scope.attempt, stepId, this.seq + 1)}:end`;
    const options = this.options.abandonSignal === undefined ? { kind: 'log' as const, untilAcked: true } : { kind: 'log' as const, untilAcked: true, signal: this.options.abandonSignal };
    await this.options.publisher.publish(this.subject, encodeJson(record), msgID, options);
    return record;
  }
}
