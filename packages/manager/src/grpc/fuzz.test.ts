import * as grpc from '@grpc/grpc-js';
import { METADATA, PROTOCOL_VERSION, loadDelegateProto, loadManagerProto } from '@kiln/protocol';
import fc from 'fast-check';
import { pino } from 'pino';
import { ManagerService } from '../api/manager-service.js';
import { AuthLimiter } from '../auth/auth-limiter.js';
import { TokenRegistry } from '../auth/token-registry.js';
import { sha256Hex } from '../scheduler/delegate-registry.js';
import { createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import { CallGuard } from './call-guard.js';
import { createDelegateHandlers } from './delegate-handlers.js';
import { startGrpcServer, stopGrpcServer } from './grpc-server.js';
import { createManagerHandlers } from './manager-handlers.js';

const DELEGATE_TOKEN = 'delegate-secret';
const API_TOKEN = 'api-secret';
const DEADLINE_MS = 2_000;

/** A generic client of one service, whose methods are looked up by name. */
type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const scalar = fc.oneof(
  fc.string(),
  fc.constant(''),
  fc.string({ minLength: 10_000, maxLength: 20_000 }),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  fc.boolean(),
);
const field = fc.constantFrom('id', 'pipeline', 'branch', 'source_name', 'content', 'execution_id', 'task_id', 'delegate_id', 'lease_id', 'attempt', 'free_slots', 'labels', 'inputs', 'kind', 'role', 'name', 'offset', 'limit', 'follow', 'x');
const value = fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 }), { maxKeys: 20 }));
const request = fc.dictionary(field, value, { maxKeys: 8 });
const token = fc.oneof(fc.constantFrom(API_TOKEN, DELEGATE_TOKEN, ''), fc.string({ maxLength: 100 }));

function metadataOf(bearer: string, version: string): grpc.Metadata {
  const result = new grpc.Metadata();
  result.set(METADATA.protocolVersion, version);
  // A header value with a newline or other control byte is invalid, so the client would throw before sending.
  result.set(METADATA.authorization, `Bearer ${bearer.replace(/[^\x20-\x7e]/g, 'x')}`);
  return result;
}

/** Sends one call of any kind and resolves with its final gRPC status code. */
function callOnce(client: AnyClient, definition: grpc.MethodDefinition<unknown, unknown>, name: string, body: unknown, meta: grpc.Metadata): Promise<grpc.status> {
  const options = { deadline: Date.now() + DEADLINE_MS };
  const method = client[name] as (...args: unknown[]) => grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>;
  return new Promise((resolve) => {
    if (!definition.responseStream) {
      method.call(client, body, meta, options, (error: grpc.ServiceError | null) => resolve(error === null ? grpc.status.OK : error.code));
      return;
    }
    const stream = method.call(client, body, meta, options) as grpc.ClientReadableStream<unknown>;
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('status', (status: grpc.StatusObject) => resolve(status.code));
  });
}

describe('gRPC services fuzzing', () => {
  let fixture: SchedulerFixture;
  let server: grpc.Server;
  const services: { client: AnyClient; methods: [string, grpc.MethodDefinition<unknown, unknown>][] }[] = [];
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    fixture = createSchedulerFixture({ pollTimeoutMs: 100 });
    fixture.now.value = Date.now();
    const logger = pino({ level: 'error' }, { write: (line: string) => unexpected.push(line) });
    // A high limit keeps the random tokens from blocking the loopback host and hiding the handlers.
    const guard = new CallGuard(logger, fixture.metrics, { authLimiter: new AuthLimiter({ maxFailures: 1_000_000 }) });
    const registry = new TokenRegistry({ transact: (work) => fixture.scheduler.transact(work), clock: () => fixture.now.value });
    const settings = { natsServers: 'nats://127.0.0.1:4999', heartbeatIntervalMs: 10_000, pollTimeoutMs: 100, leaseTtlMs: 60_000, logFlushIntervalMs: 100, logFlushBytes: 262_144 };
    const delegateHandlers = createDelegateHandlers({ scheduler: fixture.scheduler, guard, delegateTokenHash: sha256Hex(DELEGATE_TOKEN), tokens: registry, acceptingWork: () => true, settings });
    const service = new ManagerService({
      scheduler: fixture.scheduler, apiTokenHash: sha256Hex(API_TOKEN), tokens: registry, clock: () => fixture.now.value,
      delegateStaleAfterMs: 30_000, logCompletenessWaitMs: 100, acceptingWork: () => true,
    });
    const running = await startGrpcServer({ host: '127.0.0.1', port: 0 }, delegateHandlers, createManagerHandlers({ service, guard, shutdownSignal: new AbortController().signal }));
    server = running.server;
    for (const Service of [loadManagerProto().kiln.v1.ManagerService, loadDelegateProto().kiln.v1.DelegateService]) {
      const client = new Service(running.address, grpc.credentials.createInsecure()) as unknown as AnyClient;
      services.push({ client, methods: Object.entries(Service.service) as [string, grpc.MethodDefinition<unknown, unknown>][] });
    }
  });

  afterAll(async () => {
    for (const { client } of services) client.close();
    await stopGrpcServer(server, 1000);
    await fixture.close();
  });

  it('returns a gRPC status for every random request', async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), request, token, fc.boolean(), async (serviceIndex, methodIndex, body, bearer, rightVersion) => {
        const target = services[serviceIndex % services.length];
        if (target === undefined) throw new Error('no service');
        const [name, definition] = target.methods[methodIndex % target.methods.length] ?? [];
        if (name === undefined || definition === undefined) throw new Error('no method');
        const code = await callOnce(target.client, definition, name, body, metadataOf(bearer, rightVersion ? PROTOCOL_VERSION : 'x'));
        expect(Object.values(grpc.status)).toContain(code);
      }),
      { numRuns: 300, seed: 20_261_204 },
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(unexpected).toEqual([]);
  }, 90_000);
});
