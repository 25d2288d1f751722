import type { IncomingMessage } from 'node:http';
import { KilnError } from '@kiln/protocol';

/**
 * Largest JSON request body the API reads: 2 MiB, room for a pipeline file at
 * the pipeline parser's 1 MiB limit after JSON escaping of its quotes and newlines.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Returns the token of an `Authorization: Bearer <token>` header, or undefined when it is missing or malformed. */
export function bearerTokenOf(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Reads a JSON object body of at most `maxBytes` (default {@link MAX_BODY_BYTES}).
 * A `content-length` over the limit is rejected before any of the body is read.
 * @throws KilnError PAYLOAD_TOO_LARGE (HTTP 413) when the body is too large.
 * @throws KilnError INVALID_ARGUMENT when it is not JSON or not an object.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw bodyTooLarge(`${declared} bytes`, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw bodyTooLarge(`more than ${maxBytes} bytes`, maxBytes);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new KilnError('INVALID_ARGUMENT', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KilnError('INVALID_ARGUMENT', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function bodyTooLarge(size: string, maxBytes: number): KilnError {
  return new KilnError(
    'PAYLOAD_TOO_LARGE',
    `request body is ${size}, over the limit of ${maxBytes} bytes for the JSON API; send a smaller request, for example split a large pipeline file into several`,
  );
}

/** Returns a string field of a body, '' when absent. @throws KilnError INVALID_ARGUMENT when it is not a string. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new KilnError('INVALID_ARGUMENT', `field "${name}" must be a string, got ${typeof value}`);
  return value;
}

/** Returns a map of string values, {} when absent. @throws KilnError INVALID_ARGUMENT naming the first value that is not a string. */
export function stringMapField(body: Record<string, unknown>, name: string): Record<string, string> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new KilnError('INVALID_ARGUMENT', `field "${name}" must be an object of strings`);
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new KilnError('INVALID_ARGUMENT', `field "${name}.${key}" must be a string, got ${typeof entry}`);
    result[key] = entry;
  }
  return result;
}

/**
 * Returns a non-negative integer query parameter, or `fallback` when absent.
 * @throws KilnError INVALID_ARGUMENT when it is not one.
 */
export function integerParam(params: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = params.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new KilnError('INVALID_ARGUMENT', `query parameter ${name}=${text} is invalid: expected an integer from 0 to ${max}`);
  }
  return value;
}
