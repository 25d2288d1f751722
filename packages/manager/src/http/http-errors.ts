import type { ServerResponse } from 'node:http';
import { isKilnError, type ErrorCode } from '@kiln/protocol';
import type { Logger } from 'pino';

/** HTTP status of each kiln error code returned by the JSON API; codes not listed map to 500. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_PIPELINE: 400,
  MISSING_INPUT: 400,
  PATH_OUTSIDE_WORKSPACE: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONNECTOR_NOT_FOUND: 409,
  SECRET_NOT_FOUND: 409,
  PROTOCOL_MISMATCH: 409,
  ABORTED: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** Body of every error the JSON API returns. */
export interface ApiErrorBody {
  code: string;
  message: string;
  /** Every problem of an invalid file or run request, when there are several. */
  problems?: unknown[];
}

/** Writes `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Returns the HTTP status and JSON body of an error; an unexpected error becomes a 500 without its message. */
export function errorResponse(error: unknown): { status: number; body: ApiErrorBody } {
  if (!isKilnError(error)) return { status: 500, body: { code: 'INTERNAL', message: 'internal error in the manager; see its log' } };
  const problems = Array.isArray(error.details.problems) ? (error.details.problems as unknown[]) : undefined;
  return { status: STATUS_BY_CODE[error.code] ?? 500, body: { code: error.code, message: error.message, ...(problems ? { problems } : {}) } };
}

/** Writes an error response, logging errors that are not KilnErrors. */
export function sendError(response: ServerResponse, error: unknown, logger: Logger, url: string | undefined): void {
  const { status, body } = errorResponse(error);
  if (status === 500) logger.error({ err: error, url }, 'API request failed');
  if (response.headersSent) {
    response.end();
    return;
  }
  if (status === 401) response.setHeader('www-authenticate', 'Bearer realm="kiln"');
  sendJson(response, status, body);
}
