import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadDelegateProto } from '@kiln/protocol';
import { startDelegate, startProcess, waitForLine } from '../harness/index.js';
import { addSimulatedDelegates, startEnvironment } from './environment.js';
import { residentBytes, sleep } from './stats.js';

export interface MemoryResult {
  delegates: number;
  /** The same figure for a bare grpc-js server that keeps each delegate's long poll open and does nothing else. */
  bareGrpcBytesPerDelegate: number;
  managerBaselineBytes: number;
  managerWithDelegatesBytes: number;
  bytesPerDelegate: number;
  idleDelegateBytes: number;
}

/** Memory per connection of a bare grpc-js server holding one AcquireTask call from each of `delegates` clients. */
async function measureBareGrpc(delegates: number): Promise<number> {
  const server = startProcess({
    name: 'bare grpc server',
    command: process.execPath,
    args: [fileURLToPath(new URL('./bare-grpc-server.js', import.meta.url))],
    logFile: '/dev/null',
  });
  try {
    const port = await waitForLine(server, (line) => (JSON.parse(line) as { port?: number }).port);
    await sleep(2000);
    const baseline = await residentBytes(server.pid);
    const { DelegateService } = loadDelegateProto().kiln.v1;
    const clients = Array.from({ length: delegates }, () => {
      const client = new DelegateService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      client.AcquireTask({ free_slots: 1 }, () => undefined);
      return client;
    });
    await sleep(3000);
    const loaded = await residentBytes(server.pid);
    for (const client of clients) client.close();
    return (loaded - baseline) / delegates;
  } finally {
    await server.stop();
  }
}

/**
 * Manager memory per idle connected delegate: the manager's RSS with `delegates` simulated delegates
 * registered and holding a long poll, minus its RSS before they connected, divided by their number. Also the
 * RSS of one real kiln-delegate after it has been idle for `idleSeconds`.
 */
export async function measureMemory(delegates: number, idleSeconds = 5): Promise<MemoryResult> {
  const env = await startEnvironment('memory');
  const errors: unknown[] = [];
  try {
    await sleep(2000);
    const managerBaselineBytes = await residentBytes(env.manager.process.pid);
    await addSimulatedDelegates(env, delegates, false, errors);
    await sleep(3000);
    if (errors.length > 0) throw errors[0];
    const managerWithDelegatesBytes = await residentBytes(env.manager.process.pid);
    for (const delegate of env.delegates) delegate.stop();
    env.delegates.length = 0;

    const real = await startDelegate(join(env.dir, 'real'), { name: 'idle', manager: env.manager });
    await sleep(idleSeconds * 1000);
    const idleDelegateBytes = await residentBytes(real.process.pid);
    await real.process.stop();
    return {
      delegates,
      bareGrpcBytesPerDelegate: await measureBareGrpc(delegates),
      managerBaselineBytes,
      managerWithDelegatesBytes,
      bytesPerDelegate: (managerWithDelegatesBytes - managerBaselineBytes) / delegates,
      idleDelegateBytes,
    };
  } finally {
    await env.stop();
  }
}
