import type { wire } from '@kiln/protocol';
import type { CommandContext } from '../context.js';
import { formatLogLine } from '../format/log-line.js';
import { followLogs } from '../log-follower.js';
import { watchQueue } from '../queue-watcher.js';
import type { ReconnectOptions } from '../reconnect.js';

/** Resolves `PIPELINE/SEQUENCE_ID` to an execution id through GetExecution; an id is returned as given. */
export async function resolveExecutionId(context: CommandContext, ref: string): Promise<string> {
  if (!ref.includes('/')) return ref;
  const execution = await context.manager().getExecution(ref);
  return execution.id;
}

/** Returns the reconnect settings of a follow or wait: the context's timing, Ctrl-C, and one stderr line per outage. */
export function reconnectOptions(context: CommandContext): ReconnectOptions {
  const timing = context.followTiming;
  return {
    signal: context.signal,
    windowMs: timing.reconnectWindowMs,
    initialDelayMs: timing.reconnectDelayMs,
    address: context.globals.manager,
    onLost: () => {
      context.output.error(`lost the connection to the manager at ${context.globals.manager}, retrying (the execution keeps running)`);
    },
  };
}

/**
 * Prints an execution's log as it streams: `[stepId] text` lines in text
 * mode, one LogLine object per line in JSON mode. With `follow` it also
 * prints on stderr why the execution waits for a delegate, and retries an
 * unreachable manager. `reachable` says the manager has already answered for
 * this execution, so even a failure before the first line is retried.
 */
export async function printLogStream(context: CommandContext, request: wire.StreamLogsRequest, reachable = false): Promise<void> {
  const watch = new AbortController();
  const stopWatch = (): void => watch.abort();
  context.signal.addEventListener('abort', stopWatch, { once: true });
  const watching = request.follow === true
    ? watchQueue(context.manager(), request.execution_id ?? '', {
      signal: watch.signal,
      intervalMs: context.followTiming.queuePollMs,
      onWaiting: (reason) => context.output.error(`waiting for a delegate: ${reason}`),
    })
    : Promise.resolve();
  try {
    const lines = followLogs(context.manager(), request, { ...reconnectOptions(context), reachable });
    for await (const line of lines) {
      if (context.format === 'json') context.output.jsonLine(line);
      else context.output.line(formatLogLine(line));
    }
  } finally {
    watch.abort();
    context.signal.removeEventListener('abort', stopWatch);
    await watching;
  }
}
