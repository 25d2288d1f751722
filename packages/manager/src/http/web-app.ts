import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { ManagerService } from '../api/manager-service.js';
import { RejectionLog } from '../grpc/rejection-log.js';
import { API_PREFIX, handleApiRequest } from './api-routes.js';
import { DEFAULT_WEB_ROOT, serveStatic } from './static-files.js';

/** Handles one HTTP request that is not /healthz, /readyz or /metrics. */
export type HttpApp = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

export interface WebAppOptions {
  service: ManagerService;
  logger: Logger;
  /** Aborts when shutdown begins, ending event streams. */
  shutdownSignal: AbortSignal;
  /** Folder of the built UI; default packages/web/dist next to this package. */
  webRoot?: string;
}

/** Returns true for a loopback host: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Builds the handler of the web UI (static files) and its JSON API under /api/v1/. */
export function createWebApp(options: WebAppOptions): HttpApp {
  const root = options.webRoot ?? DEFAULT_WEB_ROOT;
  const routes = { ...options, rejections: new RejectionLog(options.logger) };
  return async (request, response, url) => {
    if (url.pathname.startsWith(API_PREFIX) || url.pathname === '/api/v1') {
      await handleApiRequest(routes, request, response, url);
      return;
    }
    await serveStatic(root, request, response, url.pathname);
  };
}
