import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mimeTypeFor, requestPathSegments, resolveInsideFolder } from '../core/renderer-assets.js';

/** What a static request came to: a file to stream, or a status with a short text. */
export type StaticOutcome =
  | { readonly kind: 'file'; readonly file: string; readonly size: number; readonly contentType: string }
  | { readonly kind: 'error'; readonly status: 400 | 404 | 405; readonly message: string };

/**
 * Maps a request onto a file inside `root`, by the same rules as the Electron app's app:// handler
 * (see renderer-assets.ts): `/` is `index.html`; anything that could leave `root` (encoded `..`, `/`
 * or `\`, NUL, a symlink leading out), a folder or a missing file is 404; methods other than GET and
 * HEAD are 405, a request target that is no URL path at all 400.
 */
export async function resolveStaticFile(root: string, request: IncomingMessage): Promise<StaticOutcome> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { kind: 'error', status: 405, message: 'Only GET and HEAD are served here.' };
  }
  let pathname: string;
  try {
    // The URL parser resolves literal dot segments and drops the query (the page's token rides there).
    pathname = new URL(request.url ?? '/', 'http://x').pathname;
  } catch {
    return { kind: 'error', status: 400, message: 'The address is not a valid URL path.' };
  }
  const notFound = { kind: 'error', status: 404, message: 'Not found.' } as const;
  const segments = requestPathSegments(pathname);
  const file = segments === null ? null : await resolveInsideFolder(root, segments);
  if (file === null) return notFound;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return notFound; // Removed since it was resolved.
  }
  return { kind: 'file', file, size, contentType: mimeTypeFor(file) };
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
