import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError, type wire } from '@kiln/protocol';
import { ManagerUnreachableError } from './errors.js';
import type { ManagerClient } from './manager-client.js';

/** Settings of followLogs. */
export interface FollowOptions {
  signal: AbortSignal;
  /** Times a broken stream is reopened; default 5. */
  maxReconnects?: number;
  /** Wait before each reopen in milliseconds; default 1000. */
  reconnectDelayMs?: number;
  /** Called before each reopen with the 1-based attempt and the error that broke the stream. */
  onReconnect?: (attempt: number, maxReconnects: number, error: KilnError) => void;
}

/**
 * Streams an execution's log and, when the connection breaks after lines
 * have arrived, reopens the stream and skips the lines already seen. The
 * manager always replays the stored log from the start, so lines are matched
 * by (stage, step, attempt, seq). Ends quietly when the signal aborts.
 */
export async function* followLogs(
  client: ManagerClient,
  request: wire.StreamLogsRequest,
  options: FollowOptions,
): AsyncGenerator<wire.LogLine__Output> {
  const maxReconnects = options.maxReconnects ?? 5;
  const lastSeq = new Map<string, number>();
  let received = false;
  let reconnects = 0;

  for (;;) {
    try {
      for await (const line of client.streamLogs(request, options.signal)) {
        if (isSeen(line, lastSeq)) continue;
        received = true;
        yield line;
      }
      return;
    } catch (error) {
      // A failure before any line arrived means the manager or execution is wrong; report it at once.
      if (!received || !isConnectionLoss(error) || reconnects >= maxReconnects || options.signal.aborted) throw error;
      reconnects += 1;
      options.onReconnect?.(reconnects, maxReconnects, error as KilnError);
      try {
        // The timer stays referenced because waiting is the CLI's only work; the signal ends it on Ctrl-C.
        await sleep(options.reconnectDelayMs ?? 1000, undefined, { signal: options.signal });
      } catch {
        return;
      }
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

function isConnectionLoss(error: unknown): boolean {
  return error instanceof ManagerUnreachableError || (error instanceof KilnError && error.code === 'UNAVAILABLE');
}
