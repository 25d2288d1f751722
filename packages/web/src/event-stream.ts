import { authHeaders, failure } from './api-client.js';

/** One server-sent event. */
export interface StreamEvent {
  event: string;
  data: string;
}

/** Splits text/event-stream input into events; keeps the unfinished tail for the next chunk. */
export class EventParser {
  private buffer = '';

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: StreamEvent[] = [];
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const parsed = parseBlock(block);
      if (parsed !== undefined) events.push(parsed);
      end = this.buffer.indexOf('\n\n');
    }
    return events;
  }
}

function parseBlock(block: string): StreamEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

/**
 * Reads a server-sent event stream with fetch, so the request carries the
 * Authorization header (EventSource cannot send one). Resolves when the
 * server ends the stream; rejects with ApiError on a non-2xx status, or
 * with the network error.
 */
export async function readEventStream(path: string, onEvent: (event: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(`/api/v1/${path}`, { headers: authHeaders({ accept: 'text/event-stream' }), signal });
  if (!response.ok || response.body === null) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const event of parser.push(value)) onEvent(event);
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Keeps an event stream open: reconnects after a dropped connection with a
 * growing delay (1 s up to 15 s), until `signal` aborts or `shouldStop`
 * returns true after the server ended the stream.
 */
export async function followEventStream(path: () => string, onEvent: (event: StreamEvent) => void, signal: AbortSignal, shouldStop: () => boolean): Promise<void> {
  let delayMs = 1000;
  while (!signal.aborted) {
    try {
      await readEventStream(path(), (event) => {
        delayMs = 1000;
        onEvent(event);
      }, signal);
      if (shouldStop()) return;
    } catch (error) {
      if (signal.aborted) return;
      if ((error as { status?: number }).status === 401 || (error as { status?: number }).status === 404) throw error;
    }
    await new Promise((resolve) => window.setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 15_000);
  }
}
