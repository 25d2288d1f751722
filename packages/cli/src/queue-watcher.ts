import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '@kiln/protocol';
import { formatExecutionWait } from './format/wait-reason.js';
import type { ManagerClient } from './manager-client.js';
import { isConnectionLoss } from './reconnect.js';

/** Settings of watchQueue. */
export interface QueueWatchOptions {
  /** Ends the watch, e.g. when the followed log stream ends. */
  signal: AbortSignal;
  /** Time between GetExecution calls in milliseconds; default 2000. */
  intervalMs?: number;
  /** Called with the reason an execution waits for a delegate, each time it becomes set or changes. */
  onWaiting: (reason: string) => void;
}

/**
 * Polls GetExecution while an execution is followed and reports each new
 * reason it waits for a delegate, because a queued execution writes no log
 * lines. Connection losses are skipped, since the log follow reports them.
 * Ends when the execution is terminal, the signal aborts or a call is rejected.
 */
export async function watchQueue(client: ManagerClient, id: string, options: QueueWatchOptions): Promise<void> {
  let reported = '';
  while (!options.signal.aborted) {
    try {
      const execution = await client.getExecution(id);
      if (isTerminal(execution.status)) return;
      const reason = formatExecutionWait(execution);
      if (reason !== '' && reason !== reported && !options.signal.aborted) options.onWaiting(reason);
      reported = reason;
    } catch (error) {
      if (!isConnectionLoss(error)) return;
    }
    try {
      // The timer stays referenced because waiting is the CLI's only work; the signal ends it.
      await sleep(options.intervalMs ?? 2000, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
