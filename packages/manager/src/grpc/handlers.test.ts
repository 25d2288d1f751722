import * as grpc from '@grpc/grpc-js';
import {
  METADATA,
  PROTOCOL_VERSION,
  fromServiceError,
  loadDelegateProto,
  loadManagerProto,
  type DelegateServiceClient,
  type KilnError,
  type ManagerServiceClient,
  type wire,
} from '@kiln/protocol';
import { pino } from 'pino';
import { sha256Hex } from '../scheduler/delegate-registry.js';
import { CONNECTORS_YAML, TWO_STAGES_YAML, createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import { CallGuard } from './call-guard.js';
import { createDelegateHandlers } from './delegate-handlers.js';
import { startGrpcServer, stopGrpcServer } from './grpc-server.js';
import { ManagerService } from '../api/manager-service.js';
import { createManagerHandlers } from './manager-handlers.js';

const DELEGATE_TOKEN = 'delegate-secret';
const API_TOKEN = 'api-secret';

function metadata(token: string, extra: Record<string, string> = {}, version = PROTOCOL_VERSION): grpc.Metadata {
  const result = new grpc.Metadata();
  if (version) result.set(METADATA.protocolVersion, version);
  result.set(METADATA.authorization, `Bearer ${token}`);
  for (const [key, value] of Object.entries(extra)) result.set(key, value);
  return result;
}

/** Calls a unary method and returns its response, or rejects with the KilnError of the status. */
function call<Req, Res>(method: (request: Req, meta: grpc.Metadata, callback: (error: grpc.ServiceError | null, response?: Res) => void) => unknown, request: Req, meta: grpc.Metadata): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, meta, (error, response) => (error ? reject(fromServiceError(error)) : resolve(response as Res)));
  });
}

describe('gRPC handlers', () => {
  let fixture: SchedulerFixture;
  let server: grpc.Server;
  let delegateClient: DelegateServiceClient;
  let managerClient: ManagerServiceClient;

  beforeEach(async () => {
    fixture = createSchedulerFixture({ pollTimeoutMs: 300 });
    fixture.now.value = Date.now();
    const logger = pino({ level: 'silent' });
    const guard = new CallGuard(logger, fixture.metrics);
    const delegateHandlers = createDelegateHandlers({
      scheduler: fixture.scheduler,
      guard,
      delegateTokenHash: sha256Hex(DELEGATE_TOKEN),
      acceptingWork: () => true,
      settings: { natsServers: 'nats://127.0.0.1:4999', heartbeatIntervalMs: 10_000, pollTimeoutMs: 300, leaseTtlMs: 60_000, logFlushIntervalMs: 100, logFlushBytes: 262_144 },
    });
    const service = new ManagerService({
      scheduler: fixture.scheduler,
      apiTokenHash: sha256Hex(API_TOKEN),
      clock: () => fixture.now.value,
      delegateStaleAfterMs: 30_000,
      logCompletenessWaitMs: 200,
      acceptingWork: () => true,
    });
    const managerHandlers = createManagerHandlers({ service, guard, shutdownSignal: new AbortController().signal });
    const running = await startGrpcServer({ host: '127.0.0.1', port: 0 }, delegateHandlers, managerHandlers);
    server = running.server;
    delegateClient = new (loadDelegateProto().kiln.v1.DelegateService)(running.address, grpc.credentials.createInsecure());
    managerClient = new (loadManagerProto().kiln.v1.ManagerService)(running.address, grpc.credentials.createInsecure());
  });

  afterEach(async () => {
    delegateClient.close();
    managerClient.close();
    await stopGrpcServer(server, 1000);
    await fixture.close();
  });

  async function registerDelegate(tags = ['local']): Promise<{ response: wire.RegisterResponse__Output; session: (extra?: Record<string, string>) => grpc.Metadata }> {
    const response = await call<wire.RegisterRequest, wire.RegisterResponse__Output>(
      delegateClient.Register.bind(delegateClient),
      { name: 'local-1', tags, capacity: 2, version: '0.1.0', executor: 'local', builder: 'buildah' },
      metadata(DELEGATE_TOKEN),
    );
    return { response, session: () => metadata(response.session_token, { [METADATA.delegateId]: response.delegate_id }) };
  }

  async function applyFixtures(): Promise<void> {
    const api = metadata(API_TOKEN);
    await call(managerClient.Apply.bind(managerClient), { source_name: 'connectors.yaml', content: CONNECTORS_YAML }, api);
    await call(managerClient.Apply.bind(managerClient), { source_name: 'pipeline.yaml', content: TWO_STAGES_YAML }, api);
  }

  describe('Register', () => {
    it('returns a session and the fleet intervals', async () => {
      const { response } = await registerDelegate();
      expect(response.delegate_id).not.toBe('');
      expect(response.nats?.servers).toBe('nats://127.0.0.1:4999');
      expect(response.heartbeat_interval_ms).toBe(10_000);
      expect(response.lease_ttl_ms).toBe(60_000);
      expect(response.renew_interval_ms).toBe(20_000);
      expect(response.log_flush_interval_ms).toBe(100);
      expect(response.log_flush_bytes).toBe(262_144);
    });

    it('rejects a wrong token with UNAUTHENTICATED', async () => {
      const register = call(delegateClient.Register.bind(delegateClient), { name: 'x', capacity: 1 }, metadata('wrong'));
      await expect(register).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('rejects another protocol version with PROTOCOL_MISMATCH', async () => {
      const error = (await call(delegateClient.Register.bind(delegateClient), { name: 'x', capacity: 1 }, metadata(DELEGATE_TOKEN, {}, '2')).catch((caught: unknown) => caught)) as KilnError;
      expect(error.code).toBe('PROTOCOL_MISMATCH');
      expect(error.details.grpcStatus).toBe(grpc.status.FAILED_PRECONDITION);
      expect(error.message).toMatch(/protocol version 2.*version 1/);
    });
  });

  describe('AcquireTask', () => {
    it('returns no offer after the poll timeout when nothing is queued', async () => {
      const { session } = await registerDelegate();
      const response = await call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, session());
      expect(response.offer ?? null).toBeNull();
    });

    it('rejects a call with a wrong session token', async () => {
      const { response } = await registerDelegate();
      const meta = metadata('not-the-session', { [METADATA.delegateId]: response.delegate_id });
      await expect(call(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, meta)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('offers a started stage, which AcceptTask turns into a lease', async () => {
      await applyFixtures();
      const { session } = await registerDelegate();
      const poll = call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, session());
      const execution = await call<wire.StartExecutionRequest, wire.Execution__Output>(managerClient.StartExecution.bind(managerClient), { pipeline: 'two_stages', branch: 'main' }, metadata(API_TOKEN));
      const { offer } = await poll;
      expect(offer?.execution_id).toBe(execution.id);
      const accepted = await call<wire.AcceptTaskRequest, wire.AcceptTaskResponse__Output>(
        delegateClient.AcceptTask.bind(delegateClient),
        { task_id: offer?.task_id, attempt: offer?.attempt, offer_id: offer?.offer_id },
        session(),
      );
      expect(JSON.parse(accepted.payload_json).stage.identifier).toBe('build');
      const lease = accepted.lease as wire.Lease__Output;
      const renew = await call<wire.RenewLeaseRequest, wire.RenewLeaseResponse__Output>(delegateClient.RenewLease.bind(delegateClient), { task: { task_id: lease.task_id, attempt: 1, lease_id: lease.lease_id } }, session());
      expect(renew.cancel_requested).toBe(false);
      const stale = call(delegateClient.RenewLease.bind(delegateClient), { task: { task_id: lease.task_id, attempt: 1, lease_id: 'stale' } }, session());
      await expect(stale).rejects.toMatchObject({ code: 'LEASE_LOST' });
    });
  });

  describe('GetExecution', () => {
    it('shows the selectors and connector a queued stage waits for', async () => {
      await applyFixtures();
      await registerDelegate(['windows']);
      const api = metadata(API_TOKEN);
      const started = await call<wire.StartExecutionRequest, wire.Execution__Output>(managerClient.StartExecution.bind(managerClient), { pipeline: 'two_stages', branch: 'main' }, api);
      const execution = await call<wire.GetExecutionRequest, wire.Execution__Output>(managerClient.GetExecution.bind(managerClient), { id: started.id }, api);
      expect(execution.stages[0]).toMatchObject({ status: 'Queued', reason: 'no_matching_delegate', selectors: ['local'], selector_connector: 'account.kiln_delegate' });
      expect(execution.stages[1]).toMatchObject({ reason: '', selectors: [], selector_connector: '' });
    });
  });

  describe('ListDelegates', () => {
    it('counts an offered task in the slots before any heartbeat', async () => {
      await applyFixtures();
      const { session, response } = await registerDelegate();
      const poll = call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, session());
      await call(managerClient.StartExecution.bind(managerClient), { pipeline: 'two_stages', branch: 'main' }, metadata(API_TOKEN));
      await poll;
      const listed = await call<wire.ListDelegatesRequest, wire.ListDelegatesResponse__Output>(managerClient.ListDelegates.bind(managerClient), {}, metadata(API_TOKEN));
      expect(listed.delegates.find((delegate) => delegate.id === response.delegate_id)?.slots_used).toBe(1);
    });

    it('lists deregistered delegates only with all', async () => {
      const { session, response } = await registerDelegate();
      await call(delegateClient.Deregister.bind(delegateClient), { reason: 'test' }, session());
      const api = metadata(API_TOKEN);
      const shown = await call<wire.ListDelegatesRequest, wire.ListDelegatesResponse__Output>(managerClient.ListDelegates.bind(managerClient), {}, api);
      const all = await call<wire.ListDelegatesRequest, wire.ListDelegatesResponse__Output>(managerClient.ListDelegates.bind(managerClient), { all: true }, api);
      expect(shown.delegates.map((delegate) => delegate.id)).toEqual([]);
      expect(all.delegates.map((delegate) => [delegate.id, delegate.state])).toEqual([[response.delegate_id, 'deregistered']]);
    });
  });

  describe('Apply', () => {
    it('returns every problem of an invalid file with its position', async () => {
      const error = (await call(managerClient.Apply.bind(managerClient), { source_name: 'bad.yaml', content: 'pipeline:\n  name: x\n  identifier: bad\n  stagez: []\n' }, metadata(API_TOKEN)).catch(
        (caught: unknown) => caught,
      )) as KilnError;
      expect(error.details.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
      const problems = error.details.problems as { file: string; line: number }[];
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]?.file).toBe('bad.yaml');
    });

    it('reports created, then unchanged', async () => {
      const api = metadata(API_TOKEN);
      const first = await call<wire.ApplyRequest, wire.ApplyResponse__Output>(managerClient.Apply.bind(managerClient), { source_name: 'c.yaml', content: CONNECTORS_YAML }, api);
      const second = await call<wire.ApplyRequest, wire.ApplyResponse__Output>(managerClient.Apply.bind(managerClient), { source_name: 'c.yaml', content: CONNECTORS_YAML }, api);
      expect(first.resources.map((resource) => resource.action)).toEqual(['created', 'created']);
      expect(second.resources.map((resource) => resource.action)).toEqual(['unchanged', 'unchanged']);
    });

    it('rejects a wrong API token', async () => {
      await expect(call(managerClient.ListPipelines.bind(managerClient), {}, metadata('nope'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('StreamLogs', () => {
    it('follows an execution until it ends and every step log is complete', async () => {
      await applyFixtures();
      const { session } = await registerDelegate();
      const api = metadata(API_TOKEN);
      const execution = await call<wire.StartExecutionRequest, wire.Execution__Output>(managerClient.StartExecution.bind(managerClient), { pipeline: 'two_stages', branch: 'main' }, api);
      const { offer } = await call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, session());
      const accepted = await call<wire.AcceptTaskRequest, wire.AcceptTaskResponse__Output>(delegateClient.AcceptTask.bind(delegateClient), { task_id: offer?.task_id, attempt: 1, offer_id: offer?.offer_id }, session());
      const scope = { taskId: offer?.task_id ?? '', attempt: 1, leaseId: accepted.lease?.lease_id ?? '', executionId: execution.id, stageId: 'build' };

      const received: wire.LogLine__Output[] = [];
      const stream = managerClient.StreamLogs({ execution_id: `two_stages/${execution.sequence_id}`, follow: true }, api);
      stream.on('data', (line: wire.LogLine__Output) => received.push(line));
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });

      const { scheduler } = fixture;
      await scheduler.applyEvent({ ...scope, type: 'step.started', stepId: 'hello', name: 'say hello', stepType: 'Run', ts: 1 });
      await scheduler.applyLogRecord({ ...scope, kind: 'lines', stepId: 'hello', lines: [{ seq: 2, ts: 2, stream: 'stdout', text: 'two' }] });
      await scheduler.applyLogRecord({ ...scope, kind: 'lines', stepId: 'hello', lines: [{ seq: 1, ts: 1, stream: 'stdout', text: 'one' }] });
      await scheduler.applyEvent({ ...scope, type: 'step.finished', stepId: 'hello', status: 'Failed', exitCode: 3, ts: 3 });
      await scheduler.applyLogRecord({ ...scope, kind: 'end', stepId: 'hello', lastSeq: 2, lineCount: 2, byteCount: 6 });
      await scheduler.applyEvent({ ...scope, type: 'stage.finished', status: 'Failed', error: { code: 'STEP_FAILED', message: 'exit code 3' }, ts: 4 });
      await ended;

      expect(received.map((line) => line.text).sort()).toEqual(['one', 'two']);
      expect(received.every((line) => !line.incomplete)).toBe(true);
      const final = await call<wire.GetExecutionRequest, wire.Execution__Output>(managerClient.GetExecution.bind(managerClient), { id: execution.id }, api);
      expect(final.status).toBe('Failed');
      expect(final.stages[0]?.steps[0]).toMatchObject({ id: 'hello', status: 'Failed', exit_code: 3, has_exit_code: true });
      expect(final.stages[1]?.status).toBe('Skipped');
    });

    it('marks a finished step without a completeness record as incomplete', async () => {
      await applyFixtures();
      const { session } = await registerDelegate();
      const api = metadata(API_TOKEN);
      const execution = await call<wire.StartExecutionRequest, wire.Execution__Output>(managerClient.StartExecution.bind(managerClient), { pipeline: 'two_stages', branch: 'main' }, api);
      const { offer } = await call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(delegateClient.AcquireTask.bind(delegateClient), { free_slots: 1 }, session());
      const accepted = await call<wire.AcceptTaskRequest, wire.AcceptTaskResponse__Output>(delegateClient.AcceptTask.bind(delegateClient), { task_id: offer?.task_id, attempt: 1, offer_id: offer?.offer_id }, session());
      const scope = { taskId: offer?.task_id ?? '', attempt: 1, leaseId: accepted.lease?.lease_id ?? '', executionId: execution.id, stageId: 'build' };
      await fixture.scheduler.applyEvent({ ...scope, type: 'step.started', stepId: 'hello', name: 'say hello', stepType: 'Run', ts: 1 });
      await fixture.scheduler.applyEvent({ ...scope, type: 'step.finished', stepId: 'hello', status: 'Succeeded', exitCode: 0, ts: 3 });
      await fixture.scheduler.applyEvent({ ...scope, type: 'stage.finished', status: 'Failed', ts: 4 });
      // The completeness wait is 200 ms on the fixture's clock; move past it.
      fixture.now.value += 1_000;

      const received: wire.LogLine__Output[] = [];
      const stream = managerClient.StreamLogs({ execution_id: execution.id, follow: true }, api);
      stream.on('data', (line: wire.LogLine__Output) => received.push(line));
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      expect(received).toHaveLength(1);
      expect(received[0]?.incomplete).toBe(true);
      expect(received[0]?.text).toMatch(/no completeness record/);
    });
  });
});
