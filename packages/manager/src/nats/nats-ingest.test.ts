import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, LOGS_STREAM, encodeJson, eventMessageId, eventSubject, logMessageId, logSubject, type KilnEvent, type LogRecord } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics, type ManagerMetrics } from '../metrics.js';
import type { ApplyOutcome } from '../scheduler/event-applier.js';
import { NatsIngest, type MessageSink } from './nats-ingest.js';
import { EVENTS_CONSUMER, LOGS_CONSUMER } from './streams.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startServer(storeDir: string, port: number): ChildProcess {
  return spawn('/usr/sbin/nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  process.kill(server.pid, 'SIGTERM');
  await exited;
}

const scope = { taskId: 't1', attempt: 1, leaseId: 'l1', executionId: 'e1', stageId: 'build' };

function logBatch(firstSeq: number): LogRecord {
  return { ...scope, kind: 'lines', stepId: 'run', lines: [{ seq: firstSeq, ts: 1, stream: 'stdout', text: `line ${firstSeq}` }] };
}

/** A sink that records messages. A test can make the next write fail or wait. */
class RecordingSink implements MessageSink {
  readonly events: KilnEvent[] = [];
  readonly logs: LogRecord[] = [];
  failNext = 0;
  hold: Promise<void> | undefined;

  async applyEvent(event: KilnEvent): Promise<ApplyOutcome> {
    await this.hold;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('disk full');
    }
    this.events.push(event);
    return { applied: true };
  }

  async applyLogRecord(record: LogRecord): Promise<ApplyOutcome> {
    await this.hold;
    this.logs.push(record);
    return { applied: true };
  }
}

describe('NatsIngest', () => {
  let server: ChildProcess;
  let storeDir: string;
  let port: number;
  let url: string;
  let client: NatsConnection;
  let sink: RecordingSink;
  let metrics: ManagerMetrics;
  let ingest: NatsIngest;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'kiln-manager-nats-'));
    port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    server = startServer(storeDir, port);
    await waitFor(async () => {
      try {
        client = await connect({ servers: url });
        return true;
      } catch {
        return false;
      }
    });
  });

  afterAll(async () => {
    await client?.close();
    await stopServer(server);
    rmSync(storeDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    sink = new RecordingSink();
    metrics = createMetrics(new Registry(), { countTasks: async () => [], oldestQueuedAt: async () => undefined, countDelegates: async () => [] });
    ingest = new NatsIngest({ servers: url, sink, logger: pino({ level: 'silent' }), metrics, retryDelayMs: 100 });
    ingest.start();
    await waitFor(() => ingest.isReady());
  });

  afterEach(async () => {
    await ingest.stop();
  });

  describe('when it starts against an empty server', () => {
    it('creates both streams with file storage and a 2 minute duplicate window', async () => {
      const jsm = await jetstreamManager(client);
      for (const name of [LOGS_STREAM, EVENTS_STREAM]) {
        const info = await jsm.streams.info(name);
        expect(info.config.storage).toBe('file');
        expect(info.config.duplicate_window).toBe(120_000_000_000);
      }
      expect((await jsm.consumers.info(LOGS_STREAM, LOGS_CONSUMER)).config.ack_policy).toBe('explicit');
    });
  });

  describe('when a log record arrives', () => {
    it('acknowledges it only after the sink commits', async () => {
      let release: () => void = () => undefined;
      sink.hold = new Promise((resolve) => (release = resolve));
      const record = logBatch(1);
      await jetstream(client).publish(logSubject('e1', 'build', 'run'), encodeJson(record), { msgID: logMessageId('t1', 1, 'run', 1) });
      const jsm = await jetstreamManager(client);
      await waitFor(async () => (await jsm.consumers.info(LOGS_STREAM, LOGS_CONSUMER)).num_ack_pending === 1);
      expect(sink.logs).toHaveLength(0);
      release();
      await waitFor(() => sink.logs.length === 1);
      await waitFor(async () => (await jsm.consumers.info(LOGS_STREAM, LOGS_CONSUMER)).num_ack_pending === 0);
    });

    it('lets JetStream drop a resent batch with the same message id', async () => {
      const js = jetstream(client);
      const first = await js.publish(logSubject('e1', 'build', 'run'), encodeJson(logBatch(7)), { msgID: logMessageId('t1', 1, 'run', 7) });
      const again = await js.publish(logSubject('e1', 'build', 'run'), encodeJson(logBatch(7)), { msgID: logMessageId('t1', 1, 'run', 7) });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
    });
  });

  describe('when a message is not valid JSON of a known type', () => {
    it('acknowledges it, drops it and counts it', async () => {
      await jetstream(client).publish(eventSubject('e1'), encodeJson({ ...scope, type: 'stage.exploded' }));
      const jsm = await jetstreamManager(client);
      await waitFor(async () => (await metrics.eventsRejected.get()).values.some((value) => value.labels.reason === 'invalid' && value.value === 1));
      await waitFor(async () => (await jsm.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER)).num_ack_pending === 0);
      expect(sink.events).toHaveLength(0);
    });
  });

  describe('when storing a message fails', () => {
    it('gets the message again and applies it', async () => {
      sink.failNext = 1;
      const event: KilnEvent = { ...scope, type: 'stage.started', delegateId: 'd1', ts: 5 };
      await jetstream(client).publish(eventSubject('e1'), encodeJson(event), { msgID: eventMessageId(event) });
      await waitFor(() => sink.events.length === 1);
      expect(sink.failNext).toBe(0);
      expect(sink.events[0]?.type).toBe('stage.started');
    });
  });

  describe('when NATS is unreachable at start', () => {
    it('warns with the URL and error, then logs the connection', async () => {
      const lines: Record<string, unknown>[] = [];
      const destination = { write: (text: string) => lines.push(JSON.parse(text) as Record<string, unknown>) };
      const downPort = await freePort();
      const downUrl = `nats://127.0.0.1:${downPort}`;
      const late = new NatsIngest({ servers: downUrl, sink, logger: pino({ level: 'info' }, destination), metrics, connectRetryMs: 20 });
      const lateDir = mkdtempSync(join(tmpdir(), 'kiln-manager-nats-late-'));
      let lateServer: ChildProcess | undefined;
      try {
        late.start();
        await waitFor(() => lines.filter((line) => line.msg === 'cannot connect to NATS; retrying').length >= 2);
        const warnings = lines.filter((line) => line.msg === 'cannot connect to NATS; retrying');
        expect(warnings[0]).toMatchObject({ level: 40, servers: [downUrl], attempt: 1 });
        expect(String(warnings[0]?.error)).toMatch(/refused/i);
        expect(warnings[1]).toMatchObject({ attempt: 10 });

        lateServer = startServer(lateDir, downPort);
        await waitFor(() => late.isReady(), 20_000);
        expect(lines.some((line) => line.msg === 'connected to NATS' && line.level === 30)).toBe(true);
      } finally {
        await late.stop();
        if (lateServer !== undefined) await stopServer(lateServer);
        rmSync(lateDir, { recursive: true, force: true });
      }
    });
  });

  describe('when the NATS server restarts', () => {
    it('reports not ready while it is down, then consumes again', async () => {
      await stopServer(server);
      await waitFor(() => !ingest.isReady());
      server = startServer(storeDir, port);
      await waitFor(() => ingest.isReady(), 20_000);
      await waitFor(async () => {
        try {
          await jetstream(client).publish(logSubject('e1', 'build', 'run'), encodeJson(logBatch(42)), { msgID: logMessageId('t1', 1, 'run', 42) });
          return true;
        } catch {
          return false;
        }
      }, 20_000);
      await waitFor(() => sink.logs.some((record) => record.kind === 'lines' && record.lines[0]?.seq === 42), 20_000);
    });
  });
});
