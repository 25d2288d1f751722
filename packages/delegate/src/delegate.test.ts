import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Stage } from '@kiln/pipeline';
import { EVENTS_STREAM, KilnError, loadDelegateProto, toServiceError, type DelegateServiceHandlers, type KilnEvent, type TaskPayload } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { DelegateConfig } from './config/delegate-config.js';
import { Delegate } from './delegate.js';
import { createStreams, readStream } from './testing/jetstream.js';
import { startNatsServer, waitFor, type RunningServer } from './testing/servers.js';

const logger = pino({ level: 'silent' });

interface FakeManager {
  address: string;
  calls: { method: string; metadata: Record<string, unknown>; request: unknown }[];
  cancelRequested: boolean;
  rejectRegister?: KilnError;
  stop(): Promise<void>;
}

function payload(executionId: string, taskId: string): TaskPayload<Stage> {
  return {
    taskId, attempt: 1, executionId, stageIndex: 0, timeoutMs: 0, connectors: {},
    pipeline: { identifier: 'ci', name: 'CI', orgIdentifier: 'default', projectIdentifier: 'kiln', sequenceId: 1, variables: {} },
    stage: {
      identifier: 'build', name: 'Build', type: 'CI', variables: [],
      spec: { cloneCodebase: false, serviceDependencies: [], sharedPaths: [], execution: { steps: [{ kind: 'step', step: { identifier: 'hello', name: 'hello', type: 'Run', spec: { command: 'echo hi\nsleep 1' } } }] } },
    },
  };
}

/** Starts a DelegateService that offers one task and records every call. */
async function startFakeManager(natsUrl: string, executionId: string, taskId: string): Promise<FakeManager> {
  const server = new grpc.Server();
  let offered = false;
  const fake: FakeManager = { address: '', calls: [], cancelRequested: false, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
  const record = (method: string, call: { metadata: grpc.Metadata; request: unknown }): void => {
    fake.calls.push({ method, metadata: call.metadata.getMap(), request: call.request });
  };
  const handlers: DelegateServiceHandlers = {
    Register: (call, callback) => {
      record('Register', call);
      if (fake.rejectRegister !== undefined) return callback(toServiceError(fake.rejectRegister));
      callback(null, {
        delegate_id: 'delegate-1', session_token: 'session-1', nats: { servers: natsUrl }, heartbeat_interval_ms: 200, poll_timeout_ms: 500,
        lease_ttl_ms: 3000, renew_interval_ms: 200, log_flush_interval_ms: 100, log_flush_bytes: 262144,
      });
    },
    AcquireTask: (call, callback) => {
      record('AcquireTask', call);
      if (offered) {
        setTimeout(() => callback(null, {}), 300);
        return;
      }
      offered = true;
      callback(null, { offer: { task_id: taskId, attempt: 1, offer_id: 'offer-1', ack_deadline_ms: 5000, execution_id: executionId, stage_id: 'build' } });
    },
    AcceptTask: (call, callback) => {
      record('AcceptTask', call);
      callback(null, { lease: { task_id: taskId, attempt: 1, lease_id: 'lease-1', expires_at_ms: Date.now() + 3000, ttl_ms: 3000 }, payload_json: JSON.stringify(payload(executionId, taskId)) });
    },
    RenewLease: (call, callback) => {
      record('RenewLease', call);
      callback(null, { expires_at_ms: Date.now() + 3000, cancel_requested: fake.cancelRequested, cancel_reason: fake.cancelRequested ? 'user' : '' });
    },
    Heartbeat: (call, callback) => {
      record('Heartbeat', call);
      callback(null, { lost: [], cancel: [] });
    },
    Deregister: (call, callback) => {
      record('Deregister', call);
      callback(null, {});
    },
  };
  server.addService(loadDelegateProto().kiln.v1.DelegateService.service, handlers);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
  fake.address = `127.0.0.1:${port}`;
  return fake;
}

describe('Delegate', () => {
  let nats: RunningServer;
  let reader: NatsConnection;
  let workDir: string;
  let counter = 0;

  beforeAll(async () => {
    nats = await startNatsServer();
    reader = await createStreams(nats.url);
    workDir = await mkdtemp(path.join(tmpdir(), 'delegate-main-'));
  });

  afterAll(async () => {
    await reader.close();
    await nats.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function setup(configure: (fake: FakeManager) => void = () => undefined) {
    counter += 1;
    const executionId = `exec-delegate-${counter}`;
    const fake = await startFakeManager(nats.url, executionId, `task-${counter}`);
    configure(fake);
    const config: DelegateConfig = {
      manager: fake.address, token: 'delegate-token', tokenSource: 'key "token" in /etc/kiln/d.yaml', name: 'test-1', tags: ['local'], capacity: 1, workDir,
      healthListen: { host: '127.0.0.1', port: 0 }, executor: 'local', builder: { type: 'buildah', path: 'buildah', kanikoPath: '/kaniko/executor', storageDriver: 'vfs', isolation: 'chroot' }, registries: {},
      secrets: {}, logLevel: 'silent', drainTimeoutMs: 10_000, killGracePeriodMs: 1000, keepFailedWorkspaces: false,
    };
    const delegate = new Delegate({ config, logger, registry: new Registry(), version: '0.1.0' });
    const stageFinished = async (): Promise<KilnEvent | undefined> => (await readStream(reader, EVENTS_STREAM))
      .map((message) => message.data as KilnEvent)
      .find((event) => event.executionId === executionId && event.type === 'stage.finished');
    return { fake, delegate, stageFinished };
  }

  describe('when the manager offers a task', () => {
    it('registers, runs it with lease renewals and heartbeats, and deregisters on shutdown', async () => {
      const { fake, delegate, stageFinished } = await setup();
      try {
        await delegate.start();
        expect(delegate.state).toBe('running');
        const register = fake.calls.find((call) => call.method === 'Register');
        expect(register?.metadata).toMatchObject({ 'kiln-protocol-version': '1', authorization: 'Bearer delegate-token' });
        expect(register?.request).toMatchObject({ name: 'test-1', tags: ['local'], capacity: 1, executor: 'local', builder: 'buildah' });

        const health = `http://127.0.0.1:${delegate.healthAddress?.port}`;
        expect((await fetch(`${health}/readyz`)).status).toBe(200);
        await waitFor(async () => (await stageFinished()) !== undefined, 15_000, 'stage.finished');
        expect(await stageFinished()).toMatchObject({ status: 'Succeeded', leaseId: 'lease-1', taskId: 'task-1' });

        const accept = fake.calls.find((call) => call.method === 'AcceptTask');
        expect(accept?.metadata).toMatchObject({ authorization: 'Bearer session-1', 'kiln-delegate-id': 'delegate-1', 'kiln-protocol-version': '1' });
        expect(fake.calls.filter((call) => call.method === 'RenewLease').length).toBeGreaterThanOrEqual(2);
        expect(fake.calls.some((call) => call.method === 'Heartbeat')).toBe(true);
        const metrics = await (await fetch(`${health}/metrics`)).text();
        expect(metrics).toContain('kiln_delegate_step_duration_seconds_count{type="Run",result="succeeded"} 1');
        expect(metrics).toContain('kiln_delegate_connected{peer="nats"} 1');
        expect(metrics).toContain('process_cpu_seconds_total');
      } finally {
        await delegate.shutdown('test');
        await fake.stop();
      }
      expect(delegate.state).toBe('stopped');
      expect(fake.calls.some((call) => call.method === 'Deregister')).toBe(true);
    });
  });

  describe('when the manager requests a cancel on renewal', () => {
    it('aborts the running task', async () => {
      const { fake, delegate, stageFinished } = await setup((manager) => {
        manager.cancelRequested = true;
      });
      try {
        await delegate.start();
        await waitFor(async () => (await stageFinished()) !== undefined, 15_000, 'stage.finished');
        expect(await stageFinished()).toMatchObject({ status: 'Aborted' });
      } finally {
        await delegate.shutdown('test');
        await fake.stop();
      }
    });
  });

  describe('when shut down while the manager is unreachable', () => {
    it('stops registering with ABORTED, not a failure', async () => {
      const { fake, delegate } = await setup((manager) => {
        manager.rejectRegister = new KilnError('UNAVAILABLE', 'manager restarting');
      });
      try {
        const starting = delegate.start().catch((caught: unknown) => caught);
        const deadline = Date.now() + 10_000;
        while (!fake.calls.some((call) => call.method === 'Register') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await delegate.shutdown('SIGTERM');
        expect(await starting).toMatchObject({ code: 'ABORTED' });
        expect(delegate.state).toBe('stopped');
        expect(delegate.registered).toBe(false);
      } finally {
        await fake.stop();
      }
    });
  });

  describe('when the manager rejects the token', () => {
    it('fails to start with UNAUTHENTICATED', async () => {
      const { fake, delegate } = await setup((manager) => {
        manager.rejectRegister = new KilnError('UNAUTHENTICATED', 'invalid delegate token');
      });
      try {
        const error = (await delegate.start().catch((caught: unknown) => caught)) as KilnError;
        expect(error.code).toBe('UNAUTHENTICATED');
        expect(error.message).toBe(`the manager at ${fake.address} rejected the delegate token from key "token" in /etc/kiln/d.yaml: set it to the manager's KILN_DELEGATE_TOKEN`);
        expect(delegate.state).toBe('failed');
      } finally {
        await fake.stop();
      }
    });
  });
});
