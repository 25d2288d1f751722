import type { wire } from '@kiln/protocol';
import type { ManagerClient } from './manager-client.js';
import { Reconnector, type ReconnectOptions } from './reconnect.js';

/** Settings of followLogs. */
export interface FollowOptions extends ReconnectOptions {
  /**
   * True when the caller has already reached the manager for this execution,
   * so a failure before the first line is retried too. Otherwise such a
   * failure is raised at once, because the address is more likely wrong than
   * the manager restarting.
   */
  reachable?: boolean;
}

/**
 * Streams an execution's log and, when the manager becomes unreachable,
 * reopens the stream with backoff for up to the reconnect window and skips
 * the lines already seen. The manager always replays the stored log from the
 * start, so lines are matched by (stage, step, attempt, seq). Ends quietly
 * when the signal aborts.
 * @throws ConnectionLostError when the manager stays unreachable for the whole window.
 */
export async function* followLogs(
  client: ManagerClient,
  request: wire.StreamLogsRequest,
  options: FollowOptions,
): AsyncGenerator<wire.LogLine__Output> {
  const lastSeq = new Map<string, number>();
  const reconnector = new Reconnector(request.execution_id ?? '', options);
  let reached = options.reachable === true;

  for (;;) {
    try {
      for await (const line of client.streamLogs(request, options.signal)) {
        reached = true;
        reconnector.restored();
        if (isSeen(line, lastSeq)) continue;
        yield line;
      }
      return;
    } catch (error) {
      if (!reached || options.signal.aborted) throw error;
      if (!(await reconnector.backoff(error))) return;
    }
  }
}

/** Records the line and returns true when an earlier stream already delivered it. */
function isSeen(line: wire.LogLine__Output, lastSeq: Map<string, number>): boolean {
  const key = `${line.stage_id}\u0000${line.step_id}\u0000${line.attempt}${line.incomplete ? '\u0000!' : ''}`;
  const last = lastSeq.get(key);
  if (line.incomplete) {
    if (last !== undefined) return true;
    lastSeq.set(key, line.seq);
    return false;
  }
  if (last !== undefined && line.seq <= last) return true;
  lastSeq.set(key, line.seq);
  return false;
}
