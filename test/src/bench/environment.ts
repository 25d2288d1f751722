import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startManager, startNats, type Manager, type NatsServer } from '../harness/index.js';
import { ApiClient, NOOP_PIPELINE } from './api-client.js';
import { SimulatedDelegate, connectJetStream } from './sim-delegate.js';

/** A manager and nats-server in a temporary directory, with an API client and the no-op pipeline applied. */
export interface BenchEnvironment {
  dir: string;
  nats: NatsServer;
  manager: Manager;
  api: ApiClient;
  natsConnection: NatsConnection;
  delegates: SimulatedDelegate[];
  stop(): Promise<void>;
}

export async function startEnvironment(name: string): Promise<BenchEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), `kiln-bench-${name}-`));
  const nats = await startNats(dir);
  const manager = await startManager(dir, {
    natsUrl: nats.url,
    apiToken: randomBytes(16).toString('hex'),
    delegateToken: randomBytes(16).toString('hex'),
    // KILN_BENCH_PROFILE_DIR=DIR writes a CPU profile of the manager there, to find what limits a figure.
    nodeArgs: process.env.KILN_BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KILN_BENCH_PROFILE_DIR}`] : [],
  });
  const api = new ApiClient(manager.grpc, manager.apiToken);
  await api.apply('noop.yaml', NOOP_PIPELINE);
  const natsConnection = await connect({ servers: nats.url });
  const delegates: SimulatedDelegate[] = [];
  return {
    dir,
    nats,
    manager,
    api,
    natsConnection,
    delegates,
    async stop() {
      for (const delegate of delegates) delegate.stop();
      api.close();
      await natsConnection.drain();
      await manager.process.stop();
      await nats.process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers `count` simulated delegates and starts their poll loops; failures of a loop are kept in `errors`. */
export async function addSimulatedDelegates(env: BenchEnvironment, count: number, finishTasks: boolean, errors: unknown[]): Promise<void> {
  const js = finishTasks ? connectJetStream(env.natsConnection) : undefined;
  const batch: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const delegate = new SimulatedDelegate(env.manager.grpc, env.manager.delegateToken, `sim-${env.delegates.length}`, js);
    env.delegates.push(delegate);
    batch.push(delegate.register());
    if (batch.length === 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  for (const delegate of env.delegates.slice(-count)) {
    delegate.run().catch((error: unknown) => errors.push(error));
  }
}
