import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, KilnError, type wire } from '@kiln/protocol';
import type { ManagerClient } from './manager-client.js';
import { Reconnector, type ReconnectOptions } from './reconnect.js';

/** Settings of waitForTerminal. */
export interface WaitOptions extends ReconnectOptions {
  /** Time to wait for a terminal status in milliseconds; default 30000. */
  timeoutMs?: number;
  /** Time between GetExecution calls in milliseconds; default 500. */
  intervalMs?: number;
  /** What the wait follows, for the timeout message; default `after its log stream ended`. */
  context?: string;
  /** Hint of the timeout error; default `Check it later with \`kiln get execution ID\`.` */
  timeoutHint?: string;
}

/**
 * Polls GetExecution until the execution reaches a terminal status, e.g.
 * after a followed log stream ends, when the manager may not have stored the
 * final status yet. An unreachable manager is retried within the reconnect
 * window. Returns the last state when the signal aborts.
 * @throws KilnError TIMEOUT after `timeoutMs`, ConnectionLostError when the manager stays unreachable.
 */
export async function waitForTerminal(client: ManagerClient, id: string, options: WaitOptions): Promise<wire.Execution__Output> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 30_000);
  const reconnector = new Reconnector(id, options);
  let last: wire.Execution__Output | undefined;
  for (;;) {
    try {
      last = await client.getExecution(id);
      reconnector.restored();
    } catch (error) {
      // Callers wait only on an execution they have just reached, so every connection loss is retried.
      if (await reconnector.backoff(error)) continue;
      if (last === undefined) throw error;
      return last;
    }
    if (isTerminal(last.status) || options.signal.aborted) return last;
    if (now() >= deadline) {
      throw new KilnError('TIMEOUT', `execution ${id} is still ${last.status} ${options.context ?? 'after its log stream ended'}`, {
        details: { hint: options.timeoutHint ?? `Check it later with \`kiln get execution ${id}\`.` },
      });
    }
    try {
      // The timer stays referenced because waiting is the CLI's only work; the signal ends it on Ctrl-C.
      await sleep(options.intervalMs ?? 500, undefined, { signal: options.signal });
    } catch {
      return last;
    }
  }
}
