import type { ServerResponse } from 'node:http';

/** Interval of the keep-alive comment on an idle event stream: 15 s, below common proxy idle timeouts. */
export const SSE_KEEPALIVE_MS = 15_000;

/**
 * A server-sent events response. It ends when the client disconnects or
 * `signal` aborts; `closed` is then aborted so the producer can stop.
 */
export class SseStream {
  private readonly controller = new AbortController();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly response: ServerResponse, signal: AbortSignal) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Stops buffering proxies (nginx) from holding events back.
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    this.keepAlive = setInterval(() => this.comment('keep-alive'), SSE_KEEPALIVE_MS);
    this.keepAlive.unref();
    const close = (): void => this.close();
    response.once('close', close);
    if (signal.aborted) this.close();
    else signal.addEventListener('abort', close, { once: true });
    this.controller.signal.addEventListener('abort', () => signal.removeEventListener('abort', close), { once: true });
  }

  /** Aborts when the stream has ended. */
  get closed(): AbortSignal {
    return this.controller.signal;
  }

  /** Sends one event with JSON data; resolves when the socket can take more, so a fast producer waits for a slow client. */
  async send(event: string, data: unknown): Promise<void> {
    if (this.closed.aborted) return;
    const ok = this.response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (!ok) await this.drained();
  }

  private comment(text: string): void {
    if (!this.closed.aborted) this.response.write(`: ${text}\n\n`);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.closed.removeEventListener('abort', done);
        resolve();
      };
      this.response.once('drain', done);
      this.closed.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends the response; idempotent. */
  close(): void {
    if (this.controller.signal.aborted) return;
    clearInterval(this.keepAlive);
    this.controller.abort();
    if (!this.response.writableEnded) this.response.end();
  }
}
