import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encodeJson, eventMessageId, eventSubject, logMessageId, logSubject, type KilnEvent, type LogRecord, type TaskScope } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ManagerService } from '../api/manager-service.js';
import { TokenRegistry } from '../auth/token-registry.js';
import { NatsIngest } from '../nats/nats-ingest.js';
import { sha256Hex } from '../scheduler/delegate-registry.js';
import type { DelegateRecord } from '../store/store.js';
import { CONNECTORS_YAML, createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import { startHttpServer, stopHttpServer } from './http-server.js';
import { CHANGE_THROTTLE_MS } from './execution-events.js';
import { createWebApp } from './web-app.js';

const API_TOKEN = 'web-api-token';

/** A pipeline with a runtime-input build, a variable with allowed values and a default, and one Run step. */
const INPUTS_YAML = `
pipeline:
  name: With inputs
  identifier: with_inputs
  projectIdentifier: default
  orgIdentifier: default
  variables:
    - name: flavour
      type: String
      value: <+input>.default(vanilla).allowedValues(vanilla,chocolate)
    - name: greeting
      type: String
      value: <+input>
  properties:
    ci:
      codebase:
        connectorRef: account.kiln_samples
        repoName: sample-app
        build: <+input>
  stages:
    - stage:
        name: build
        identifier: build
        type: CI
        spec:
          cloneCodebase: true
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.kiln_delegate
              namespace: builds
          execution:
            steps:
              - step:
                  type: Run
                  name: say hello
                  identifier: hello
                  spec:
                    shell: Sh
                    command: echo <+pipeline.variables.greeting>
`;

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

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface ReceivedEvent {
  event: string;
  data: unknown;
}

/** An open event stream read with fetch, as the UI reads it. */
class EventReader {
  readonly events: ReceivedEvent[] = [];
  ended = false;
  private readonly abort = new AbortController();

  constructor(url: string, headers: Record<string, string>) {
    void this.read(url, headers);
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(url, { headers, signal: this.abort.signal });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close().
    }
    this.ended = true;
  }

  named(event: string): unknown[] {
    return this.events.filter((candidate) => candidate.event === event).map((candidate) => candidate.data);
  }

  close(): void {
    this.abort.abort();
  }
}

describe('web API', () => {
  let natsServer: ChildProcess;
  let natsDir: string;
  let natsUrl: string;
  let client: NatsConnection;
  let js: JetStreamClient;
  let fixture: SchedulerFixture;
  let ingest: NatsIngest;
  let http: Server;
  let base: string;
  let webRoot: string;
  let shutdown: AbortController;
  const auth = { authorization: `Bearer ${API_TOKEN}` };

  beforeAll(async () => {
    natsDir = mkdtempSync(join(tmpdir(), 'kiln-web-api-nats-'));
    const port = await freePort();
    natsUrl = `nats://127.0.0.1:${port}`;
    natsServer = spawn('/usr/sbin/nats-server', ['-js', '-sd', natsDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    client = await waitFor(async () => connect({ servers: natsUrl }).catch(() => undefined));
    js = jetstream(client);
  });

  afterAll(async () => {
    await client?.close();
    if (natsServer.exitCode === null && natsServer.pid !== undefined) {
      const exited = new Promise((resolve) => natsServer.once('exit', resolve));
      process.kill(natsServer.pid, 'SIGTERM');
      await exited;
    }
    rmSync(natsDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    fixture = createSchedulerFixture({ pollTimeoutMs: 300 });
    fixture.now.value = Date.now();
    await fixture.apply(CONNECTORS_YAML);
    await fixture.apply(INPUTS_YAML);
    const logger = pino({ level: 'silent' });
    ingest = new NatsIngest({ servers: natsUrl, sink: fixture.scheduler, logger, metrics: fixture.metrics });
    ingest.start();
    await waitFor(() => ingest.isReady());
    webRoot = mkdtempSync(join(tmpdir(), 'kiln-web-root-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>kiln</title>');
    writeFileSync(join(webRoot, 'assets', 'app-123.js'), 'console.log(1);');
    shutdown = new AbortController();
    const service = new ManagerService({
      scheduler: fixture.scheduler,
      apiTokenHash: sha256Hex(API_TOKEN),
      clock: () => fixture.now.value,
      delegateStaleAfterMs: 30_000,
      logCompletenessWaitMs: 500,
      acceptingWork: () => true,
    });
    const app = createWebApp({ service, logger, shutdownSignal: shutdown.signal, webRoot });
    const started = await startHttpServer({ host: '127.0.0.1', port: 0, registry: new Registry(), readiness: {}, logger, app });
    http = started.server;
    base = `http://${started.address}`;
  });

  afterEach(async () => {
    shutdown.abort();
    await stopHttpServer(http);
    await ingest.stop();
    await fixture.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
    return fetch(`${base}${path}`, { headers });
  }

  function post(path: string, body: unknown = {}, headers: Record<string, string> = auth): Promise<Response> {
    return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function startRun(inputs: Record<string, string> = { greeting: 'hi' }): Promise<{ id: string; sequence_id: number; status: string }> {
    const response = await post('/api/v1/executions', { pipeline: 'with_inputs', branch: 'main', inputs });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; sequence_id: number; status: string };
  }

  async function registerDelegate(): Promise<DelegateRecord> {
    const registration = { version: '0.1.0', executor: 'local', builder: 'buildah', builderVersion: '1.28', capacity: 2, hostname: 'host', name: 'local-1', tags: ['local'] };
    return (await fixture.scheduler.delegates.register(registration)).delegate;
  }

  /** Takes the next task as a delegate would and returns the fencing fields its messages carry. */
  async function acceptNext(delegate: DelegateRecord): Promise<TaskScope> {
    const offer = await fixture.scheduler.dispatcher.acquireTask(delegate, new AbortController().signal);
    if (offer === undefined) throw new Error('expected an offer');
    const lease = await fixture.scheduler.dispatcher.acceptTask(delegate.id, offer.taskId, offer.attempt, offer.offerId);
    return { taskId: offer.taskId, attempt: offer.attempt, leaseId: lease.leaseId, executionId: offer.executionId, stageId: offer.stageId };
  }

  async function publishEvent(event: KilnEvent): Promise<void> {
    await js.publish(eventSubject(event.executionId), encodeJson(event), { msgID: eventMessageId(event) });
  }

  async function publishLines(scope: TaskScope, stepId: string, firstSeq: number, texts: string[]): Promise<void> {
    const record: LogRecord = { ...scope, kind: 'lines', stepId, lines: texts.map((text, index) => ({ seq: firstSeq + index, ts: Date.now(), stream: 'stdout', text })) };
    await js.publish(logSubject(scope.executionId, scope.stageId, stepId), encodeJson(record), { msgID: logMessageId(scope.taskId, scope.attempt, stepId, firstSeq) });
  }

  async function publishLogEnd(scope: TaskScope, stepId: string, lastSeq: number): Promise<void> {
    const record: LogRecord = { ...scope, kind: 'end', stepId, lastSeq, lineCount: lastSeq, byteCount: 0 };
    await js.publish(logSubject(scope.executionId, scope.stageId, stepId), encodeJson(record), { msgID: `${scope.taskId}:${scope.attempt}:${stepId}:end` });
  }

  describe('when a request has no valid token', () => {
    it.each([
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/executions'],
      ['POST', '/api/v1/executions'],
      ['GET', '/api/v1/executions/events'],
      ['GET', '/api/v1/executions/x'],
      ['POST', '/api/v1/executions/x/cancel'],
      ['POST', '/api/v1/executions/x/rerun'],
      ['GET', '/api/v1/executions/x/events'],
      ['GET', '/api/v1/executions/x/logs'],
      ['GET', '/api/v1/executions/x/logs/events'],
      ['GET', '/api/v1/delegates'],
      ['GET', '/api/v1/pipelines'],
      ['GET', '/api/v1/pipelines/with_inputs'],
      ['POST', '/api/v1/apply'],
    ])('%s %s returns 401', async (method, path) => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: API_TOKEN }]) {
        const response = await fetch(`${base}${path}`, { method, headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
        expect(((await response.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
      }
    });
  });

  describe('GET /api/v1/session', () => {
    it('returns the actions the token may take', async () => {
      const response = await get('/api/v1/session');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ actions: ['run', 'cancel', 'rerun', 'apply'] });
    });
  });

  describe('when the token is a stored token with the viewer role', () => {
    it('may read, but running, cancelling, rerunning and applying return 403 naming the role', async () => {
      const registry = new TokenRegistry({ transact: (work) => fixture.scheduler.transact(work), clock: () => fixture.now.value });
      const { token } = await registry.create({ kind: 'api', role: 'viewer', name: 'web viewer', expiresInMs: undefined });
      const viewer = { authorization: `Bearer ${token}` };
      expect(await (await get('/api/v1/session', viewer)).json()).toEqual({ actions: [] });
      expect((await get('/api/v1/executions', viewer)).status).toBe(200);
      const run = await startRun();
      const denied: [string, unknown][] = [
        ['/api/v1/executions', { pipeline: 'with_inputs', branch: 'main', inputs: { greeting: 'hi' } }],
        [`/api/v1/executions/${run.id}/cancel`, {}],
        [`/api/v1/executions/${run.id}/rerun`, {}],
        ['/api/v1/apply', { source_name: 'connectors.yaml', content: CONNECTORS_YAML }],
      ];
      for (const [path, body] of denied) {
        const response = await post(path, body, viewer);
        expect(response.status).toBe(403);
        const error = (await response.json()) as { code: string; message: string };
        expect(error.code).toBe('PERMISSION_DENIED');
        expect(error.message).toMatch(/^role viewer of token [0-9a-f]{16} \(web viewer\) may not perform (run|cancel|rerun|apply):/);
      }
    });

    it('lets a runner token start a run and records it in the audit', async () => {
      const registry = new TokenRegistry({ transact: (work) => fixture.scheduler.transact(work), clock: () => fixture.now.value });
      const { record, token } = await registry.create({ kind: 'api', role: 'runner', name: 'web runner', expiresInMs: undefined });
      const response = await post('/api/v1/executions', { pipeline: 'with_inputs', branch: 'main', inputs: { greeting: 'hi' } }, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      expect(await fixture.store.listAudit(1)).toEqual([expect.objectContaining({ tokenId: record.id, operation: 'run', target: expect.stringContaining(id), peer: '127.0.0.1' })]);
    });
  });

  describe('static files', () => {
    it('serves index.html for / and for UI routes, with the security headers', async () => {
      for (const path of ['/', '/executions/abc', '/pipelines/default%2Fdefault%2Fwith_inputs']) {
        const response = await get(path, {});
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(response.headers.get('cache-control')).toBe('no-cache');
        expect(await response.text()).toContain('<title>kiln</title>');
      }
    });

    it('serves hashed assets with their content type and a long cache', async () => {
      const response = await get('/assets/app-123.js', {});
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(await response.text()).toBe('console.log(1);');
    });

    it('returns 404 for a missing asset', async () => {
      expect((await get('/assets/missing.js', {})).status).toBe(404);
    });

    it('never serves a file outside the web root', async () => {
      const secret = join(webRoot, '..', `kiln-web-secret-${process.pid}.txt`);
      writeFileSync(secret, 'secret');
      try {
        for (const path of [`/%2e%2e/kiln-web-secret-${process.pid}.txt`, `/..%2fkiln-web-secret-${process.pid}.txt`, `/assets/%2e%2e/%2e%2e/kiln-web-secret-${process.pid}.txt`, '/%00']) {
          const response = await get(path, {});
          expect(await response.text()).not.toContain('secret');
        }
      } finally {
        rmSync(secret, { force: true });
      }
    });

    it('keeps /healthz and /metrics outside the UI', async () => {
      expect(await (await get('/healthz', {})).json()).toEqual({ status: 'ok' });
      expect((await get('/metrics', {})).headers.get('content-type')).toContain('text/plain');
    });
  });

  describe('unknown API paths', () => {
    it('return 404 with a JSON error', async () => {
      const response = await get('/api/v1/nothing');
      expect(response.status).toBe(404);
      expect(((await response.json()) as { code: string }).code).toBe('NOT_FOUND');
    });
  });

  describe('GET /api/v1/pipelines', () => {
    it('lists the stored pipelines', async () => {
      const body = (await (await get('/api/v1/pipelines')).json()) as { pipelines: { identifier: string; last_sequence_id: number }[] };
      expect(body.pipelines).toEqual([expect.objectContaining({ identifier: 'with_inputs', last_sequence_id: 0 })]);
    });

    it('returns one pipeline with its YAML and runtime inputs', async () => {
      const response = await get(`/api/v1/pipelines/${encodeURIComponent('default/default/with_inputs')}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { yaml: string; codebase_build: string; inputs: unknown[] };
      expect(body.yaml).toContain('identifier: with_inputs');
      expect(body.codebase_build).toBe('input');
      expect(body.inputs).toEqual([
        expect.objectContaining({ name: 'flavour', default: 'vanilla', allowedValues: ['vanilla', 'chocolate'] }),
        expect.objectContaining({ name: 'greeting' }),
      ]);
    });

    it('returns 404 naming the stored pipelines for an unknown one', async () => {
      const response = await get('/api/v1/pipelines/nope');
      expect(response.status).toBe(404);
      expect(((await response.json()) as { message: string }).message).toContain('with_inputs');
    });
  });

  describe('POST /api/v1/executions', () => {
    it('starts a run with the build and inputs', async () => {
      const execution = await startRun({ greeting: 'hi', flavour: 'chocolate' });
      expect(execution.sequence_id).toBe(1);
      expect(execution).toMatchObject({ pipeline: 'with_inputs', build_type: 'branch', build_value: 'main', status: 'Queued', trigger: 'manual' });
    });

    it('rejects a disallowed and a missing input with every problem', async () => {
      const response = await post('/api/v1/executions', { pipeline: 'with_inputs', branch: 'main', inputs: { flavour: 'mint' } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; problems: { message: string }[] };
      expect(body.problems.map((problem) => problem.message).join('\n')).toMatch(/mint[\s\S]*greeting|greeting[\s\S]*mint/);
    });

    it('rejects a body without a pipeline and a non-string input', async () => {
      expect((await post('/api/v1/executions', { branch: 'main' })).status).toBe(400);
      expect((await post('/api/v1/executions', { pipeline: 'with_inputs', inputs: { greeting: 3 } })).status).toBe(400);
      const invalid = await fetch(`${base}/api/v1/executions`, { method: 'POST', headers: auth, body: '{not json' });
      expect(invalid.status).toBe(400);
    });
  });

  describe('GET /api/v1/executions', () => {
    it('lists newest first and filters by status and pipeline', async () => {
      await startRun();
      await startRun();
      const all = (await (await get('/api/v1/executions')).json()) as { executions: { sequence_id: number }[] };
      expect(all.executions.map((execution) => execution.sequence_id)).toEqual([2, 1]);
      const limited = (await (await get('/api/v1/executions?limit=1')).json()) as { executions: unknown[] };
      expect(limited.executions).toHaveLength(1);
      const running = (await (await get('/api/v1/executions?status=Running')).json()) as { executions: unknown[] };
      expect(running.executions).toHaveLength(0);
      const other = (await (await get('/api/v1/executions?pipeline=two_stages')).json()) as { executions: unknown[] };
      expect(other.executions).toHaveLength(0);
      expect((await get('/api/v1/executions?limit=-1')).status).toBe(400);
    });
  });

  describe('GET /api/v1/executions/:id', () => {
    it('finds an execution by id and by PIPELINE/SEQUENCE_ID', async () => {
      const started = await startRun();
      const byId = (await (await get(`/api/v1/executions/${started.id}`)).json()) as { id: string; stages: { id: string; reason: string }[] };
      expect(byId.id).toBe(started.id);
      expect(byId.stages[0]).toMatchObject({ id: 'build', reason: 'no_matching_delegate' });
      const bySequence = (await (await get(`/api/v1/executions/${encodeURIComponent('with_inputs/1')}`)).json()) as { id: string };
      expect(bySequence.id).toBe(started.id);
      expect((await get('/api/v1/executions/unknown')).status).toBe(404);
    });
  });

  describe('when a delegate runs a step', () => {
    it('streams execution, log lines and end', async () => {
      const delegate = await registerDelegate();
      const changes = new EventReader(`${base}/api/v1/executions/events`, auth);
      const started = await startRun();
      await waitFor(() => changes.named('changed').some((data) => (data as { ids: string[] }).ids.includes(started.id)));
      const scope = await acceptNext(delegate);
      const updates = new EventReader(`${base}/api/v1/executions/${started.id}/events`, auth);
      const log = new EventReader(`${base}/api/v1/executions/${started.id}/logs/events?stage=build&step=hello&attempt=1`, auth);
      await publishEvent({ ...scope, type: 'stage.started', delegateId: delegate.id, ts: Date.now() });
      await publishEvent({ ...scope, type: 'step.started', stepId: 'hello', name: 'say hello', stepType: 'Run', ts: Date.now() });
      await publishLines(scope, 'hello', 1, ['line 1', '\u001b[32mline 2\u001b[0m']);
      await waitFor(() => log.named('lines').flat().length === 2);
      // Proving that no event comes needs a pause: three throttle intervals let any pending change event arrive.
      const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3 * CHANGE_THROTTLE_MS));
      await settle();
      const changesBeforeLine3 = changes.named('changed').length;
      await publishLines(scope, 'hello', 3, ['line 3']);
      await waitFor(() => log.named('lines').flat().length === 3);
      await settle();
      expect(changes.named('changed')).toHaveLength(changesBeforeLine3);
      await publishLogEnd(scope, 'hello', 3);
      await publishEvent({ ...scope, type: 'step.finished', stepId: 'hello', status: 'Succeeded', exitCode: 0, artifacts: [{ registry: 'r', repository: 'k/app', tag: '1', digest: 'sha256:abc', pushed: true }], ts: Date.now() });
      await publishEvent({ ...scope, type: 'stage.finished', status: 'Succeeded', ts: Date.now() });

      await waitFor(() => log.ended);
      expect(log.named('lines').flat().map((line) => (line as { seq: number; text: string }).text)).toEqual(['line 1', '\u001b[32mline 2\u001b[0m', 'line 3']);
      expect(log.named('end')).toEqual([{ complete: true }]);
      await waitFor(() => updates.ended);
      const last = updates.named('execution').at(-1) as { status: string; stages: { steps: { artifacts: { digest: string }[] }[] }[] };
      expect(last.status).toBe('Succeeded');
      expect(last.stages[0]?.steps[0]?.artifacts[0]?.digest).toBe('sha256:abc');
      changes.close();

      const json = (await (await get(`/api/v1/executions/${started.id}/logs?stage=build&step=hello&attempt=1`)).json()) as { lines: { seq: number }[] };
      expect(json.lines.map((line) => line.seq)).toEqual([1, 2, 3]);
      const text = await get(`/api/v1/executions/${started.id}/logs?stage=build&step=hello&format=text`);
      expect(text.headers.get('content-disposition')).toContain('attachment');
      expect(await text.text()).toBe('line 1\n\u001b[32mline 2\u001b[0m\nline 3\n');
      expect((await get(`/api/v1/executions/${started.id}/logs?attempt=2`).then((response) => response.json())) as unknown).toEqual({ lines: [], truncated: false });
    });
  });

  describe('POST /api/v1/executions/:id/cancel and /rerun', () => {
    it('aborts a queued execution and starts it again with the same build', async () => {
      const started = await startRun({ greeting: 'hi' });
      const cancelled = await post(`/api/v1/executions/${started.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as { status: string }).status).toBe('Aborted');
      const rerun = await post(`/api/v1/executions/${started.id}/rerun`);
      // greeting has no default and inputs are not stored with an execution, so the re-run names it.
      expect(rerun.status).toBe(400);
      expect(((await rerun.json()) as { code: string }).code).toBe('MISSING_INPUT');
      await fixture.apply(INPUTS_YAML.replace('value: <+input>\n  properties', 'value: <+input>.default(hello)\n  properties'));
      const again = await post(`/api/v1/executions/${started.id}/rerun`);
      expect(again.status).toBe(201);
      expect(await again.json()).toMatchObject({ sequence_id: 2, build_type: 'branch', build_value: 'main', trigger: 'rerun' });
    });
  });

  describe('GET /api/v1/delegates', () => {
    it('lists a registered delegate with its slots and state', async () => {
      await registerDelegate();
      const body = (await (await get('/api/v1/delegates')).json()) as { delegates: unknown[] };
      expect(body.delegates).toEqual([expect.objectContaining({ name: 'local-1', tags: ['local'], capacity: 2, slots_used: 0, state: 'connected', builder: 'buildah' })]);
    });
  });

  describe('POST /api/v1/apply', () => {
    it('stores a valid file and rejects an invalid one with its problems', async () => {
      const applied = await post('/api/v1/apply', { source_name: 'p.yaml', content: INPUTS_YAML.replace('name: With inputs', 'name: Renamed') });
      expect(applied.status).toBe(200);
      expect(await applied.json()).toEqual({ resources: [expect.objectContaining({ kind: 'pipeline', identifier: 'with_inputs', action: 'updated' })] });
      const invalid = await post('/api/v1/apply', { source_name: 'bad.yaml', content: 'pipeline:\n  name: x\n' });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { problems: unknown[] }).problems.length).toBeGreaterThan(0);
    });
  });

  describe('when the manager shuts down', () => {
    it('ends open event streams', async () => {
      const changes = new EventReader(`${base}/api/v1/executions/events`, auth);
      await waitFor(() => changes.named('ready').length === 1);
      shutdown.abort();
      await waitFor(() => changes.ended);
    });
  });
});
