import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the built web UI: packages/web/dist, resolved from this module (packages/manager/{src,dist}/http). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Headers of every UI response: the UI loads only its own scripts and styles and is never framed. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Resolves a URL path to a file under `root`, or undefined when the path
 * leaves `root` (`..`, encoded or not), contains a NUL byte or is malformed.
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const base = resolve(root);
  const target = resolve(join(base, decoded));
  if (target !== base && !target.startsWith(base + sep)) return undefined;
  return target;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(request: IncomingMessage, response: ServerResponse, path: string, size: number, immutable: boolean): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    // Vite puts a content hash into every file name under assets/, so those never change.
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(path).pipe(response);
}

/**
 * Serves the built UI from `root`: a file when the path names one, else
 * index.html so that the UI's own routes (`/executions/ID`) load the app.
 */
export async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse, urlPath: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = resolveStaticPath(root, urlPath);
  if (path === undefined) {
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('invalid path\n');
    return;
  }
  const size = urlPath.endsWith('/') ? undefined : await fileSize(path);
  if (size !== undefined) {
    sendFile(request, response, path, size, urlPath.startsWith('/assets/'));
    return;
  }
  if (urlPath.startsWith('/assets/')) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const index = join(root, 'index.html');
  const indexSize = await fileSize(index);
  if (indexSize === undefined) {
    const message = `the web UI is not built: ${index} is missing; run \`npm run build -w @kiln/web\`\n`;
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
    return;
  }
  sendFile(request, response, index, indexSize, false);
}
