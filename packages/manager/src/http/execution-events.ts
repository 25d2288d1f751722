import type { ServerResponse } from 'node:http';
import { isTerminal } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ManagerService } from '../api/manager-service.js';
import { SseStream } from './sse-stream.js';

/** Shortest time between two events of one stream: 250 ms, so a burst of step events becomes one update. */
export const CHANGE_THROTTLE_MS = 250;

/**
 * Runs `work` {@link CHANGE_THROTTLE_MS} after a trigger. Triggers while it
 * waits or runs merge into one later run, so runs start at least that far apart.
 */
function throttled(work: () => Promise<void>, onError: (error: unknown) => void): { trigger(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const run = (): void => {
    timer = undefined;
    running = true;
    work()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) trigger();
      });
  };
  const trigger = (): void => {
    again = running;
    if (running || timer !== undefined) return;
    timer = setTimeout(run, CHANGE_THROTTLE_MS);
    timer.unref();
  };
  return { trigger, cancel: () => timer !== undefined && clearTimeout(timer) };
}

/** Most executions whose last sent list state one change stream remembers; beyond it the oldest is forgotten and may be sent again. */
export const MAX_REMEMBERED_STATES = 10_000;

/**
 * GET /api/v1/executions/events: a `changed` event with `{ ids }` when
 * executions start or change a field the Builds list shows (status, commit,
 * start, finish), at most every 250 ms. Log lines and step changes, which
 * the list does not show, send nothing. The Builds list reloads its page
 * when an event arrives.
 */
export function streamExecutionChanges(service: ManagerService, response: ServerResponse, shutdown: AbortSignal, logger: Logger): void {
  const stream = new SseStream(response, shutdown);
  const changed = new Set<string>();
  const sent = new Map<string, string>();
  const sender = throttled(async () => {
    const states = await service.executionListStates([...changed]);
    changed.clear();
    const ids = [...states].filter(([id, state]) => sent.get(id) !== state).map(([id]) => id);
    if (ids.length === 0) return;
    for (const id of ids) {
      sent.delete(id);
      sent.set(id, states.get(id) ?? '');
    }
    while (sent.size > MAX_REMEMBERED_STATES) sent.delete(sent.keys().next().value as string);
    await stream.send('changed', { ids });
  }, (error) => logger.warn({ err: error }, 'sending execution changes failed'));
  const stop = service.watchExecutions((id) => {
    changed.add(id);
    sender.trigger();
  });
  void stream.send('ready', {});
  stream.closed.addEventListener('abort', () => {
    stop();
    sender.cancel();
  }, { once: true });
}

/**
 * GET /api/v1/executions/:id/events: an `execution` event with the whole
 * execution at once and after each change, at most every 250 ms. The stream
 * ends after the event that shows the execution final.
 * @throws KilnError NOT_FOUND before the stream starts.
 */
export async function streamExecution(service: ManagerService, id: string, response: ServerResponse, shutdown: AbortSignal, logger: Logger): Promise<void> {
  let execution = await service.getExecution({ id });
  const executionId = execution.id ?? id;
  const stream = new SseStream(response, shutdown);
  const sendCurrent = async (): Promise<void> => {
    await stream.send('execution', execution);
    if (isTerminal(execution.status ?? '')) stream.close();
  };
  const sender = throttled(async () => {
    execution = await service.getExecution({ id: executionId });
    await sendCurrent();
  }, (error) => logger.warn({ err: error, executionId }, 'sending an execution update failed'));
  const stop = service.watchExecution(executionId, () => sender.trigger());
  stream.closed.addEventListener('abort', () => {
    stop();
    sender.cancel();
  }, { once: true });
  await sendCurrent();
  // A change that committed between the first read and the subscription sends no notification, so read once more.
  if (!stream.closed.aborted) sender.trigger();
}
