import type { wire } from '@kiln/protocol';
import type { CommandContext } from '../context.js';
import { formatLogLine } from '../format/log-line.js';
import { followLogs } from '../log-follower.js';

/** Resolves `PIPELINE/SEQUENCE_ID` to an execution id through GetExecution; an id is returned as given. */
export async function resolveExecutionId(context: CommandContext, ref: string): Promise<string> {
  if (!ref.includes('/')) return ref;
  const execution = await context.manager().getExecution(ref);
  return execution.id;
}

/**
 * Prints an execution's log as it streams: `[stepId] text` lines in text
 * mode, one LogLine object per line in JSON mode. Warns on stderr when a
 * broken stream is reopened.
 */
export async function printLogStream(context: CommandContext, request: wire.StreamLogsRequest): Promise<void> {
  const lines = followLogs(context.manager(), request, {
    signal: context.signal,
    onReconnect: (attempt, max, error) => {
      context.output.error(`warning: ${error.message}; reopening the log stream (attempt ${attempt} of ${max})`);
    },
  });
  for await (const line of lines) {
    if (context.format === 'json') context.output.jsonLine(line);
    else context.output.line(formatLogLine(line));
  }
}
