import type { IncomingMessage, ServerResponse } from 'node:http';
import { isKilnError, KilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ManagerService } from '../api/manager-service.js';
import { sessionActions, type Caller } from '../auth/access-policy.js';
import type { RejectionLog } from '../grpc/rejection-log.js';
import { streamExecution, streamExecutionChanges } from './execution-events.js';
import { sendError, sendJson } from './http-errors.js';
import { sendLog, streamLogEvents } from './log-endpoints.js';
import { bearerTokenOf, integerParam, readJsonBody, stringField, stringMapField } from './request-input.js';

/** Prefix of every JSON and event-stream endpoint. */
export const API_PREFIX = '/api/v1/';
/** Most executions one list request returns. */
export const MAX_LIST_LIMIT = 1000;


export interface ApiRoutesOptions {
  service: ManagerService;
  logger: Logger;
  /** Aborts when shutdown begins, ending event streams. */
  shutdownSignal: AbortSignal;
  /** Logs rejected tokens, rate-limited per peer; the gRPC server has its own. */
  rejections?: RejectionLog;
}

/** One API request after authentication: method, path segments below /api/v1 (decoded) and query. */
interface ApiCall {
  caller: Caller;
  method: string;
  segments: string[];
  params: URLSearchParams;
  request: IncomingMessage;
  response: ServerResponse;
}

function segmentsOf(path: string): string[] {
  return path
    .slice(API_PREFIX.length)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new KilnError('INVALID_ARGUMENT', `path segment ${segment} is not valid percent-encoding`);
      }
    });
}

function notFound(call: ApiCall): never {
  throw new KilnError('NOT_FOUND', `no API endpoint ${call.method} /api/v1/${call.segments.join('/')}; see packages/web/README.md for the list`);
}

async function startExecution(service: ManagerService, caller: Caller, request: IncomingMessage): Promise<unknown> {
  const body = await readJsonBody(request);
  const pipeline = stringField(body, 'pipeline');
  if (pipeline === '') throw new KilnError('INVALID_ARGUMENT', 'field "pipeline" is missing: give the pipeline identifier or org/project/identifier');
  return service.startExecution(caller, {
    pipeline,
    branch: stringField(body, 'branch'),
    tag: stringField(body, 'tag'),
    commit_sha: stringField(body, 'commit_sha'),
    pr_number: stringField(body, 'pr_number'),
    inputs: stringMapField(body, 'inputs'),
  });
}

async function routeExecution(options: ApiRoutesOptions, call: ApiCall, id: string, rest: string[]): Promise<void> {
  const { service, shutdownSignal, logger } = options;
  const action = rest.join('/');
  if (call.method === 'GET' && action === '') return sendJson(call.response, 200, await service.getExecution({ id }));
  if (call.method === 'POST' && action === 'cancel') return sendJson(call.response, 200, await service.cancelExecution(call.caller, { id }));
  if (call.method === 'POST' && action === 'rerun') return sendJson(call.response, 201, await service.rerunExecution(call.caller, { id }));
  if (call.method === 'GET' && action === 'events') return streamExecution(service, id, call.response, shutdownSignal, logger);
  if (call.method === 'GET' && action === 'logs') return sendLog(service, id, call.params, call.response, shutdownSignal);
  if (call.method === 'GET' && action === 'logs/events') return streamLogEvents(service, id, call.params, call.response, shutdownSignal);
  notFound(call);
}

async function routeCall(options: ApiRoutesOptions, call: ApiCall): Promise<void> {
  const { service } = options;
  const [collection, id, ...rest] = call.segments;
  const { method, response, params } = call;
  if (collection === 'session' && id === undefined && method === 'GET') return sendJson(response, 200, { actions: sessionActions(call.caller.role) });
  if (collection === 'executions' && id === undefined) {
    if (method === 'GET') {
      const request = { pipeline: params.get('pipeline') ?? '', status: params.get('status') ?? '', limit: integerParam(params, 'limit', 50, MAX_LIST_LIMIT) };
      return sendJson(response, 200, await service.listExecutions(request));
    }
    if (method === 'POST') return sendJson(response, 201, await startExecution(service, call.caller, call.request));
  }
  if (collection === 'executions' && id === 'events' && rest.length === 0 && method === 'GET') {
    return streamExecutionChanges(service, response, options.shutdownSignal, options.logger);
  }
  if (collection === 'executions' && id !== undefined) return routeExecution(options, call, id, rest);
  if (collection === 'delegates' && id === undefined && method === 'GET') return sendJson(response, 200, await service.listDelegates());
  if (collection === 'pipelines' && method === 'GET' && rest.length === 0) {
    return sendJson(response, 200, id === undefined ? await service.listPipelines() : await service.getPipeline(id));
  }
  if (collection === 'apply' && id === undefined && method === 'POST') {
    const body = await readJsonBody(call.request);
    return sendJson(response, 200, await service.apply(call.caller, { source_name: stringField(body, 'source_name'), content: stringField(body, 'content') }));
  }
  notFound(call);
}

/**
 * Handles a request under /api/v1/: checks the bearer token, then runs the
 * endpoint. Errors become JSON `{ code, message, problems? }` with an HTTP
 * status derived from the kiln error code.
 */
export async function handleApiRequest(options: ApiRoutesOptions, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const address = request.socket.remoteAddress ?? 'unknown';
  // Bracket an IPv6 address, as grpc-js peers are, so that its last group is not taken for a port.
  const peer = address.includes(':') ? `[${address}]` : address;
  try {
    let caller: Caller;
    try {
      caller = await options.service.authenticate(bearerTokenOf(request), peer);
    } catch (error) {
      if (isKilnError(error)) options.rejections?.record(peer, `${request.method ?? 'GET'} ${url.pathname}`, error.code, error.message);
      throw error;
    }
    const call: ApiCall = { caller, method: request.method ?? 'GET', segments: segmentsOf(url.pathname), params: url.searchParams, request, response };
    await routeCall(options, call);
  } catch (error) {
    sendError(response, error, options.logger, request.url);
  }
}
