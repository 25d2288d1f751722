import { clearToken, getToken } from './session.js';

/** An error response of the API: its kiln error code, message and HTTP status. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly problems: unknown[] = []) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the API rejects the token, so the app can show the login screen. */
let onUnauthenticated: () => void = () => undefined;

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Returns the request headers with the session's bearer token. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return token === undefined ? extra : { ...extra, authorization: `Bearer ${token}` };
}

/** Turns a failed response into an ApiError; a 401 also clears the token and calls the unauthenticated handler. */
export async function failure(response: Response): Promise<ApiError> {
  let body: { code?: string; message?: string; problems?: unknown[] } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // A non-JSON error (a proxy's page, say) keeps the status text below.
  }
  if (response.status === 401) {
    clearToken();
    onUnauthenticated();
  }
  return new ApiError(response.status, body.code ?? 'HTTP_ERROR', body.message ?? `${response.status} ${response.statusText}`, body.problems ?? []);
}

/** Sends a request to /api/v1 and returns its JSON body. @throws ApiError when the response is not 2xx. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers = authHeaders(init.body === undefined ? {} : { 'content-type': 'application/json' });
  const response = await fetch(`/api/v1/${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** Encodes one path segment, e.g. an execution id or `org/project/identifier`. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
