import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, KilnError, type wire } from '@kiln/protocol';
import type { ManagerClient } from './manager-client.js';

/**
 * Polls GetExecution until the execution reaches a terminal status. Used
 * after a followed log stream ends, when the manager may not have stored the
 * final status yet. Throws TIMEOUT after `timeoutMs` (default 30000) and
 * returns the last state when the signal aborts.
 */
export async function waitForTerminal(
  client: ManagerClient,
  id: string,
  options: { signal: AbortSignal; timeoutMs?: number; intervalMs?: number; now?: () => number },
): Promise<wire.Execution__Output> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const execution = await client.getExecution(id);
    if (isTerminal(execution.status) || options.signal.aborted) return execution;
    if (now() >= deadline) {
      throw new KilnError('TIMEOUT', `execution ${id} is still ${execution.status} after its log stream ended`, {
        details: { hint: `Check it later with \`kiln get execution ${id}\`.` },
      });
    }
    try {
      // The timer stays referenced because waiting is the CLI's only work; the signal ends it on Ctrl-C.
      await sleep(options.intervalMs ?? 500, undefined, { signal: options.signal });
    } catch {
      return execution;
    }
  }
}
