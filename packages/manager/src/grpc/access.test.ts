import * as grpc from '@grpc/grpc-js';
import { METADATA, PROTOCOL_VERSION, fromServiceError, loadDelegateProto, loadManagerProto, type DelegateServiceClient, type ManagerServiceClient, type wire } from '@kiln/protocol';
import { pino } from 'pino';
import { ManagerService } from '../api/manager-service.js';
import { TokenRegistry } from '../auth/token-registry.js';
import { sha256Hex } from '../scheduler/delegate-registry.js';
import { CONNECTORS_YAML, TWO_STAGES_YAML, createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import { CallGuard } from './call-guard.js';
import { createDelegateHandlers } from './delegate-handlers.js';
import { startGrpcServer, stopGrpcServer } from './grpc-server.js';
import { createManagerHandlers } from './manager-handlers.js';

const DELEGATE_TOKEN = 'delegate-secret';
const API_TOKEN = 'api-secret';
type Role = 'admin' | 'runner' | 'viewer';

function metadata(token: string, extra: Record<string, string> = {}): grpc.Metadata {
  const result = new grpc.Metadata();
  result.set(METADATA.protocolVersion, PROTOCOL_VERSION);
  result.set(METADATA.authorization, `Bearer ${token}`);
  for (const [key, value] of Object.entries(extra)) result.set(key, value);
  return result;
}

type Method = (request: never, meta: grpc.Metadata, callback: (error: grpc.ServiceError | null, response?: never) => void) => unknown;

/** Calls a unary method and returns its response, or rejects with the KilnError of the status. */
function call<Res>(method: Method, request: unknown, meta: grpc.Metadata): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request as never, meta, (error, response) => (error ? reject(fromServiceError(error)) : resolve(response as Res)));
  });
}

/** Reads a whole StreamLogs call, or rejects with the KilnError of its status. */
function readLogs(client: ManagerServiceClient, request: wire.StreamLogsRequest, meta: grpc.Metadata): Promise<wire.LogLine__Output[]> {
  return new Promise((resolve, reject) => {
    const lines: wire.LogLine__Output[] = [];
    const stream = client.StreamLogs(request, meta);
    stream.on('data', (line: wire.LogLine__Output) => lines.push(line));
    stream.on('error', (error: grpc.ServiceError) => reject(fromServiceError(error)));
    stream.on('end', () => resolve(lines));
  });
}

describe('ManagerService access by role', () => {
  let fixture: SchedulerFixture;
  let server: grpc.Server;
  let client: ManagerServiceClient;
  let delegateClient: DelegateServiceClient;
  const tokens: Record<Role, string> = { admin: '', runner: '', viewer: '' };
  let executionId = '';

  beforeAll(async () => {
    fixture = createSchedulerFixture({ pollTimeoutMs: 300 });
    fixture.now.value = Date.now();
    const logger = pino({ level: 'silent' });
    const guard = new CallGuard(logger, fixture.metrics);
    const registry = new TokenRegistry({ transact: (work) => fixture.scheduler.transact(work), clock: () => fixture.now.value });
    const settings = { natsServers: 'nats://127.0.0.1:4999', heartbeatIntervalMs: 10_000, pollTimeoutMs: 300, leaseTtlMs: 60_000, logFlushIntervalMs: 100, logFlushBytes: 262_144 };
    const delegateHandlers = createDelegateHandlers({ scheduler: fixture.scheduler, guard, delegateTokenHash: sha256Hex(DELEGATE_TOKEN), tokens: registry, acceptingWork: () => true, settings });
    const service = new ManagerService({
      scheduler: fixture.scheduler, apiTokenHash: sha256Hex(API_TOKEN), tokens: registry, clock: () => fixture.now.value,
      delegateStaleAfterMs: 30_000, logCompletenessWaitMs: 200, acceptingWork: () => true,
    });
    const running = await startGrpcServer({ host: '127.0.0.1', port: 0 }, delegateHandlers, createManagerHandlers({ service, guard, shutdownSignal: new AbortController().signal }));
    server = running.server;
    client = new (loadManagerProto().kiln.v1.ManagerService)(running.address, grpc.credentials.createInsecure());
    delegateClient = new (loadDelegateProto().kiln.v1.DelegateService)(running.address, grpc.credentials.createInsecure());
    for (const role of ['admin', 'runner', 'viewer'] as const) {
      const created = await call<wire.CreateTokenResponse__Output>(client.CreateToken.bind(client), { kind: 'api', role, name: `${role}-token` }, metadata(API_TOKEN));
      tokens[role] = created.secret;
    }
    await call(client.Apply.bind(client), { source_name: 'connectors.yaml', content: CONNECTORS_YAML }, metadata(API_TOKEN));
    await call(client.Apply.bind(client), { source_name: 'pipeline.yaml', content: TWO_STAGES_YAML }, metadata(API_TOKEN));
    executionId = (await call<wire.Execution__Output>(client.StartExecution.bind(client), { pipeline: 'two_stages', branch: 'main' }, metadata(API_TOKEN))).id;
  });

  afterAll(async () => {
    client.close();
    delegateClient.close();
    await stopGrpcServer(server, 1000);
    await fixture.close();
  });

  /** Each ManagerService method with a valid request and the roles allowed to call it. */
  const cases: { method: string; operation: string; allowed: Role[]; invoke: (meta: grpc.Metadata) => Promise<unknown> }[] = [
    { method: 'Apply', operation: 'apply', allowed: ['admin', 'runner'], invoke: (meta) => call(client.Apply.bind(client), { source_name: 'pipeline.yaml', content: TWO_STAGES_YAML }, meta) },
    { method: 'StartExecution', operation: 'run', allowed: ['admin', 'runner'], invoke: (meta) => call(client.StartExecution.bind(client), { pipeline: 'two_stages', branch: 'main' }, meta) },
    { method: 'CancelExecution', operation: 'cancel', allowed: ['admin', 'runner'], invoke: (meta) => call(client.CancelExecution.bind(client), { id: executionId }, meta) },
    { method: 'GetExecution', operation: 'read', allowed: ['admin', 'runner', 'viewer'], invoke: (meta) => call(client.GetExecution.bind(client), { id: executionId }, meta) },
    { method: 'ListExecutions', operation: 'read', allowed: ['admin', 'runner', 'viewer'], invoke: (meta) => call(client.ListExecutions.bind(client), {}, meta) },
    { method: 'StreamLogs', operation: 'read', allowed: ['admin', 'runner', 'viewer'], invoke: (meta) => readLogs(client, { execution_id: executionId }, meta) },
    { method: 'ListDelegates', operation: 'read', allowed: ['admin', 'runner', 'viewer'], invoke: (meta) => call(client.ListDelegates.bind(client), {}, meta) },
    { method: 'ListPipelines', operation: 'read', allowed: ['admin', 'runner', 'viewer'], invoke: (meta) => call(client.ListPipelines.bind(client), {}, meta) },
    { method: 'CreateToken', operation: 'token.create', allowed: ['admin'], invoke: (meta) => call(client.CreateToken.bind(client), { kind: 'delegate', name: 'fleet' }, meta) },
    { method: 'ListTokens', operation: 'token.list', allowed: ['admin'], invoke: (meta) => call(client.ListTokens.bind(client), {}, meta) },
    {
      method: 'RevokeToken', operation: 'token.revoke', allowed: ['admin'],
      invoke: async (meta) => {
        const spare = await call<wire.CreateTokenResponse__Output>(client.CreateToken.bind(client), { kind: 'api', role: 'viewer', name: 'spare' }, metadata(API_TOKEN));
        return call(client.RevokeToken.bind(client), { id: spare.token?.id }, meta);
      },
    },
    { method: 'ListAudit', operation: 'audit.list', allowed: ['admin'], invoke: (meta) => call(client.ListAudit.bind(client), { limit: 5 }, meta) },
  ];
  const table = cases.flatMap((entry) => (['admin', 'runner', 'viewer'] as const).map((role) => ({ ...entry, role, allowed: entry.allowed.includes(role) })));

  it.each(table)('$method with role $role: allowed $allowed', async ({ role, allowed, operation, invoke }) => {
    const outcome = invoke(metadata(tokens[role]));
    if (allowed) await expect(outcome).resolves.toBeDefined();
    else await expect(outcome).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(new RegExp(`^role ${role} of token .* may not perform ${operation.replace('.', '\\.')}:`)) });
  });

  it('treats KILN_API_TOKEN as admin', async () => {
    await expect(call(client.ListTokens.bind(client), {}, metadata(API_TOKEN))).resolves.toBeDefined();
  });

  describe('when an API token is revoked', () => {
    it('rejects its next call with UNAUTHENTICATED', async () => {
      const created = await call<wire.CreateTokenResponse__Output>(client.CreateToken.bind(client), { kind: 'api', role: 'runner', name: 'gone' }, metadata(API_TOKEN));
      await call(client.ListPipelines.bind(client), {}, metadata(created.secret));
      await call(client.RevokeToken.bind(client), { id: created.token?.id }, metadata(API_TOKEN));
      await expect(call(client.ListPipelines.bind(client), {}, metadata(created.secret))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('ListTokens', () => {
    it('lists id, name, kind, role and times, never the token', async () => {
      const { tokens: listed } = await call<wire.ListTokensResponse__Output>(client.ListTokens.bind(client), {}, metadata(API_TOKEN));
      expect(listed.find((token) => token.name === 'runner-token')).toMatchObject({ kind: 'api', role: 'runner', revoked_at_ms: 0 });
      expect(JSON.stringify(listed)).not.toContain(tokens.runner);
    });
  });

  describe('ListAudit', () => {
    it('records who applied, ran and cancelled, and token changes, newest first', async () => {
      const started = await call<wire.Execution__Output>(client.StartExecution.bind(client), { pipeline: 'two_stages', branch: 'main' }, metadata(tokens.runner));
      await call(client.CancelExecution.bind(client), { id: started.id }, metadata(tokens.runner));
      const { records } = await call<wire.ListAuditResponse__Output>(client.ListAudit.bind(client), { limit: 2 }, metadata(API_TOKEN));
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({ token_name: 'runner-token', operation: 'cancel', target: expect.stringContaining(started.id), peer: expect.stringContaining('127.0.0.1') });
      expect(records[1]).toMatchObject({ operation: 'run' });
      const all = await call<wire.ListAuditResponse__Output>(client.ListAudit.bind(client), { limit: 1000 }, metadata(API_TOKEN));
      const operations = new Set(all.records.map((record) => record.operation));
      expect([...operations].sort()).toEqual(['apply', 'cancel', 'run', 'token.create', 'token.revoke']);
      expect(all.records.at(-1)).toMatchObject({ token_id: 'env', operation: 'token.create' });
    });
  });

  describe('when the delegate token of a session is revoked', () => {
    it('ends the session at the delegate\'s next call and rejects registering again', async () => {
      const created = await call<wire.CreateTokenResponse__Output>(client.CreateToken.bind(client), { kind: 'delegate', name: 'builders' }, metadata(API_TOKEN));
      const register = (): Promise<wire.RegisterResponse__Output> =>
        call(delegateClient.Register.bind(delegateClient), { name: 'd1', tags: ['local'], capacity: 1, version: '0.1.0', executor: 'local', builder: 'buildah' }, metadata(created.secret));
      const session = await register();
      const sessionMeta = metadata(session.session_token, { [METADATA.delegateId]: session.delegate_id });
      await call(delegateClient.Heartbeat.bind(delegateClient), { slots_used: 0, slots_free: 1, tasks: [] }, sessionMeta);
      await call(client.RevokeToken.bind(client), { id: created.token?.id }, metadata(API_TOKEN));
      await expect(call(delegateClient.Heartbeat.bind(delegateClient), { slots_used: 0, slots_free: 1, tasks: [] }, sessionMeta))
        .rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/is revoked, so its session ended/) });
      expect((await fixture.store.getDelegate(session.delegate_id))?.state).toBe('deregistered');
      await expect(register()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('keeps a session of KILN_DELEGATE_TOKEN working', async () => {
      const session = await call<wire.RegisterResponse__Output>(delegateClient.Register.bind(delegateClient), { name: 'd2', capacity: 1 }, metadata(DELEGATE_TOKEN));
      const sessionMeta = metadata(session.session_token, { [METADATA.delegateId]: session.delegate_id });
      await expect(call(delegateClient.Heartbeat.bind(delegateClient), { slots_used: 0, slots_free: 1, tasks: [] }, sessionMeta)).resolves.toBeDefined();
    });
  });

  describe('when the delegate token of a session expires', () => {
    it('ends the session at its next call', async () => {
      const created = await call<wire.CreateTokenResponse__Output>(client.CreateToken.bind(client), { kind: 'delegate', name: 'short', expires_in_ms: 60_000 }, metadata(API_TOKEN));
      const session = await call<wire.RegisterResponse__Output>(delegateClient.Register.bind(delegateClient), { name: 'd3', capacity: 1 }, metadata(created.secret));
      const sessionMeta = metadata(session.session_token, { [METADATA.delegateId]: session.delegate_id });
      fixture.now.value += 60_000;
      try {
        await expect(call(delegateClient.Heartbeat.bind(delegateClient), { slots_used: 0, slots_free: 1, tasks: [] }, sessionMeta))
          .rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired at .* so its session ended/) });
      } finally {
        fixture.now.value -= 60_000;
      }
    });
  });
});
