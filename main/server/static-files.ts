import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/** Content types of what a Vite build emits (anything else is served as octet-stream). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** What a static request came to: a file to stream, or a status with a short text. */
export type StaticOutcome =
  | { readonly kind: 'file'; readonly file: string; readonly size: number; readonly contentType: string }
  | { readonly kind: 'error'; readonly status: 400 | 404 | 405; readonly message: string };

/**
 * Maps a request onto a file inside `root` (already `realpath`ed): `/` is `index.html`. Refuses
 * anything that resolves outside `root` after percent-decoding and symlinks (`/..%2f..%2fetc/passwd`
 * included), NUL bytes, and methods other than GET and HEAD.
 */
export async function resolveStaticFile(root: string, request: IncomingMessage): Promise<StaticOutcome> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { kind: 'error', status: 405, message: 'Only GET and HEAD are served here.' };
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  } catch {
    return { kind: 'error', status: 400, message: 'The address is not valid percent-encoding.' };
  }
  const notFound = { kind: 'error', status: 404, message: 'Not found.' } as const;
  if (pathname.includes('\0') || pathname.split(/[/\\]/).includes('..')) return notFound;
  if (pathname.endsWith('/')) pathname += 'index.html';

  let file: string;
  try {
    // realpath resolves symlinks, so the containment check below sees where the file really is.
    file = await realpath(path.join(root, pathname));
  } catch {
    return notFound;
  }
  if (!file.startsWith(root + path.sep)) return notFound;
  const info = await stat(file);
  if (!info.isFile()) return notFound;
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return { kind: 'file', file, size: info.size, contentType };
}

/** Streams a resolved file (headers for HEAD) with `headers` added. */
export function sendStaticFile(
  request: IncomingMessage,
  response: ServerResponse,
  outcome: Extract<StaticOutcome, { kind: 'file' }>,
  headers: Record<string, string>,
): void {
  response.writeHead(200, {
    ...headers,
    'content-type': outcome.contentType,
    'content-length': outcome.size,
    // A rebuilt renderer shows on the next reload; the files come from this machine anyway.
    'cache-control': 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const stream = createReadStream(outcome.file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}
