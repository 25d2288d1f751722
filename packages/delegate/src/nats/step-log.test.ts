import type { NatsConnection } from '@nats-io/transport-node';
import { LOGS_STREAM, type LogBatch, type LogEnd, type TaskScope } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DelegateMetrics } from '../metrics.js';
import { MASK, SecretMasker } from '../secrets/secret-masker.js';
import { createStreams, readStream } from '../testing/jetstream.js';
import { startNatsServer, type RunningServer } from '../testing/servers.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { MAX_BATCH_BYTES, StepLog } from './step-log.js';

const SCOPE: TaskScope = { taskId: 'task-1', attempt: 1, leaseId: 'lease-1', executionId: 'exec-1', stageId: 'build' };
const logger = pino({ level: 'silent' });

describe('StepLog', () => {
  let server: RunningServer;
  let reader: NatsConnection;
  let publisher: JetStreamPublisher;
  let metrics: DelegateMetrics;

  beforeAll(async () => {
    server = await startNatsServer();
    reader = await createStreams(server.url);
    metrics = new DelegateMetrics(new Registry(), { defaultMetrics: false });
    publisher = await JetStreamPublisher.connect([server.url], { name: 'test', logger, metrics, signal: new AbortController().signal });
  });

  afterAll(async () => {
    await publisher.close();
    await reader.close();
    await server.stop();
  });

  function open(stepId: string, masker = new SecretMasker(), flushBytes = 256 * 1024): StepLog {
    return new StepLog({ publisher, scope: SCOPE, stepId, masker, flushIntervalMs: 100, flushBytes, logger, metrics });
  }

  async function recordsOf(stepId: string): Promise<{ msgID: string | undefined; data: LogBatch | LogEnd }[]> {
    const all = await readStream(reader, LOGS_STREAM);
    return all.filter((message) => message.subject === `kiln.logs.exec-1.build.${stepId}`) as { msgID: string | undefined; data: LogBatch | LogEnd }[];
  }

  describe('when lines arrive within one flush interval', () => {
    it('publishes them in one batch numbered from 1, then LogEnd', async () => {
      const log = open('run_one');
      log.write('stdout', 'hello');
      log.write('stderr', 'warning');
      log.system('done');
      const end = await log.end();

      const records = await recordsOf('run_one');
      expect(records).toHaveLength(2);
      const [batch, last] = records;
      expect(batch?.msgID).toBe('task-1:1:run_one:1');
      expect(batch?.data).toMatchObject({ ...SCOPE, kind: 'lines', stepId: 'run_one' });
      expect((batch?.data as LogBatch).lines.map((line) => [line.seq, line.stream, line.text])).toEqual([
        [1, 'stdout', 'hello'], [2, 'stderr', 'warning'], [3, 'system', 'done'],
      ]);
      expect(last?.data).toEqual({ ...SCOPE, kind: 'end', stepId: 'run_one', lastSeq: 3, lineCount: 3, byteCount: 16 });
      expect(end.lastSeq).toBe(3);
    });
  });

  describe('when the buffered bytes reach the flush size', () => {
    it('splits the lines into batches without gaps in seq', async () => {
      const log = open('run_big', new SecretMasker(), 100);
      for (let index = 1; index <= 25; index += 1) log.write('stdout', `line number ${String(index).padStart(3, '0')}`);
      await log.end();

      const records = await recordsOf('run_big');
      const batches = records.filter((record) => record.data.kind === 'lines').map((record) => record.data as LogBatch);
      expect(batches.length).toBeGreaterThan(2);
      const seqs = batches.flatMap((batch) => batch.lines.map((line) => line.seq));
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      const ids = records.filter((record) => record.data.kind === 'lines').map((record) => record.msgID);
      expect(ids).toEqual(batches.map((batch) => `task-1:1:run_big:${batch.lines[0]?.seq}`));
      expect(records.at(-1)?.data).toMatchObject({ kind: 'end', lastSeq: 25, lineCount: 25 });
    });
  });

  describe('when many short lines arrive at once', () => {
    it('keeps every message under the NATS payload limit and loses no line', async () => {
      const log = open('short_lines', new SecretMasker(), 4 * 1024 * 1024);
      for (let index = 1; index <= 50_000; index += 1) log.write('stdout', String(index));
      await log.end();

      const records = await recordsOf('short_lines');
      const batches = records.filter((record) => record.data.kind === 'lines').map((record) => record.data as LogBatch);
      expect(batches.length).toBeGreaterThan(1);
      for (const batch of batches) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      const texts = batches.flatMap((batch) => batch.lines.map((line) => line.text));
      expect(texts).toHaveLength(50_000);
      expect(texts[49_999]).toBe('50000');
    });
  });

  describe('when the flush interval passes', () => {
    it('publishes the buffered lines before the step ends', async () => {
      const log = open('run_slow');
      log.write('stdout', 'early line');
      let published: unknown[] = [];
      const deadline = Date.now() + 5000;
      while (published.length === 0 && Date.now() < deadline) {
        published = await recordsOf('run_slow');
        if (published.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(published).toHaveLength(1);
      await log.end();
    });
  });

  describe('when a line contains a secret', () => {
    it('publishes it masked', async () => {
      const masker = new SecretMasker();
      masker.add('s3cret-value');
      masker.add('first-line\nsecond-line');
      const log = open('run_secret', masker);
      log.write('stdout', 'password is s3cret-value');
      log.write('stdout', 'key: second-line');
      await log.end();

      const [batch] = await recordsOf('run_secret');
      expect((batch?.data as LogBatch).lines.map((line) => line.text)).toEqual([`password is ${MASK}`, `key: ${MASK}`]);
    });
  });
});
