import type { ServerResponse } from 'node:http';
import type { wire } from '@kiln/protocol';
import type { LogRequest, ManagerService } from '../api/manager-service.js';
import { sendJson } from './http-errors.js';
import { integerParam } from './request-input.js';
import { SseStream } from './sse-stream.js';

/** Lines per `lines` event of a log stream: large enough that a 100,000-line log takes 100 events. */
export const LOG_BATCH_LINES = 1000;
/** Maximum time a line waits in a batch before it is sent: 100 ms, the delegates' flush interval. */
export const LOG_BATCH_WAIT_MS = 100;
/** Most lines the JSON log endpoint returns; the text download has no limit. */
export const MAX_JSON_LOG_LINES = 200_000;

/** A log line as the UI receives it: the stage and step are those of the request. */
export interface ApiLogLine {
  attempt: number;
  seq: number;
  ts: number;
  stream: string;
  text: string;
  incomplete: boolean;
}

function logRequestOf(executionId: string, params: URLSearchParams, follow: boolean): LogRequest {
  return {
    execution_id: executionId,
    follow,
    stage_id: params.get('stage') ?? '',
    step_id: params.get('step') ?? '',
    attempt: integerParam(params, 'attempt', 0),
  };
}

function toApiLine(line: wire.LogLine): ApiLogLine {
  return { attempt: line.attempt ?? 0, seq: Number(line.seq ?? 0), ts: Number(line.ts_ms ?? 0), stream: line.stream ?? '', text: line.text ?? '', incomplete: line.incomplete ?? false };
}

/**
 * GET /api/v1/executions/:id/logs: the stored log of an execution (or of one
 * step with `stage`, `step` and `attempt`) as JSON, or as a plain-text
 * download with `format=text`.
 */
export async function sendLog(service: ManagerService, executionId: string, params: URLSearchParams, response: ServerResponse, signal: AbortSignal): Promise<void> {
  const request = logRequestOf(executionId, params, false);
  const lines = service.streamLogs(request, signal);
  if (params.get('format') !== 'text') {
    const collected: ApiLogLine[] = [];
    for await (const line of lines) {
      if (collected.length >= MAX_JSON_LOG_LINES) break;
      collected.push(toApiLine(line));
    }
    sendJson(response, 200, { lines: collected, truncated: collected.length >= MAX_JSON_LOG_LINES });
    return;
  }
  // Reads the first line before the headers, so that an unknown execution still returns a JSON 404.
  const first = await lines.next();
  const name = [executionId, request.stage_id, request.step_id].filter(Boolean).join('-').replace(/[^\w.-]+/g, '_');
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': `attachment; filename="${name}.log"` });
  if (first.done !== true) {
    response.write(`${first.value.text ?? ''}\n`);
    for await (const line of lines) {
      if (!response.write(`${line.text ?? ''}\n`)) await new Promise((resolve) => response.once('drain', resolve));
    }
  }
  response.end();
}

/**
 * GET /api/v1/executions/:id/logs/events: server-sent events with the log of
 * one step (or the whole execution), stored lines first, then new lines as
 * they commit. Events: `lines` (an array of {@link ApiLogLine}), and `end`
 * once the execution is final and the log complete.
 */
export async function streamLogEvents(service: ManagerService, executionId: string, params: URLSearchParams, response: ServerResponse, shutdown: AbortSignal): Promise<void> {
  const logRequest = logRequestOf(executionId, params, true);
  // Resolves the execution first, so that an unknown id returns a JSON 404 rather than an empty stream.
  await service.getExecution({ id: executionId });
  const stream = new SseStream(response, shutdown);
  let batch: ApiLogLine[] = [];
  let sending: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (batch.length === 0) return sending;
    const lines = batch;
    batch = [];
    sending = sending.then(() => stream.send('lines', lines));
    return sending;
  };
  const timer = setInterval(() => void flush(), LOG_BATCH_WAIT_MS);
  timer.unref();
  try {
    for await (const line of service.streamLogs(logRequest, stream.closed)) {
      batch.push(toApiLine(line));
      if (batch.length >= LOG_BATCH_LINES) await flush();
    }
    await flush();
    if (!stream.closed.aborted) await stream.send('end', { complete: true });
  } finally {
    clearInterval(timer);
    stream.close();
  }
}
