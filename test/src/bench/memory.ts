import { join } from 'node:path';
import { startDelegate } from '../harness/index.js';
import { addSimulatedDelegates, startEnvironment } from './environment.js';
import { residentBytes, sleep } from './stats.js';

export interface MemoryResult {
  delegates: number;
  managerBaselineBytes: number;
  managerWithDelegatesBytes: number;
  bytesPerDelegate: number;
  idleDelegateBytes: number;
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
      managerBaselineBytes,
      managerWithDelegatesBytes,
      bytesPerDelegate: (managerWithDelegatesBytes - managerBaselineBytes) / delegates,
      idleDelegateBytes,
    };
  } finally {
    await env.stop();
  }
}
