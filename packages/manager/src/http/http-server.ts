import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HttpApp } from './web-app.js';

/** Readiness of one dependency, checked on every /readyz request. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface HttpServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Named checks; /readyz returns 200 only when all pass. */
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
  /** Handler of every other path (the web UI and its API); without it they return 404. */
  app?: HttpApp;
  /** PEM certificate chain and key; when set the server speaks HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

/** Paths the server handles itself, before `app`. */
const OPERATIONS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

async function readiness(checks: Record<string, ReadinessCheck>): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const results: Record<string, boolean> = {};
  for (const [name, check] of Object.entries(checks)) {
    try {
      results[name] = await check();
    } catch {
      results[name] = false;
    }
  }
  return { ready: Object.values(results).every(Boolean), checks: results };
}

async function route(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (options.app !== undefined && !OPERATIONS_PATHS.has(path)) {
    await options.app(request, response, url);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
  } else if (path === '/readyz') {
    const result = await readiness(options.readiness);
    response.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(result)}\n`);
  } else if (path === '/metrics') {
    const body = await options.registry.metrics();
    response.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
  }
}

/** Starts the HTTP (or, with `tls`, HTTPS) server of /healthz, /readyz and /metrics; returns it with its bound `host:port`. */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; address: string }> {
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    route(options, request, response).catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, 'HTTP request failed');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  };
  // An https.Server is a tls.Server whose request handling is http.Server's, so the callers' Server type fits both.
  const server: Server = options.tls === undefined ? createServer(handle) : (createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) as unknown as Server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return { server, address: `${host}:${bound.port}` };
}

/** Closes the server and its idle keep-alive connections. */
export async function stopHttpServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
