import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';
import { APP_SCHEME, RENDERER_HOST } from './app-origin.js';

/**
 * The page's Content-Security-Policy, sent with every response: scripts, styles and connections only
 * from the app itself; pictures may also be blob:/data: (style images, snapshots) and media the
 * camera's stream. No plugins, no <base>, no framing, no form posts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const MIME_TYPES: Readonly<Record<string, string>> = {
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
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file, by extension; unknown kinds are served as opaque bytes. */
export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Registers `app:` as a standard, secure scheme. Must run before the app's `ready` event (Electron
 * refuses later): standard gives the page a real origin and relative URLs, secure makes it a secure
 * context (getUserMedia needs one), supportFetchAPI lets the page fetch its own files. `corsEnabled`
 * stays off on purpose: it would let other origins read these files; the page's own module scripts
 * are same-origin and do not need it.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * The file a request URL names, as path segments relative to the renderer folder, or null when the
 * URL is not ours or tries to leave the folder. Checks each segment after percent-decoding, so that
 * `%2e%2e`, `%2f` and `%5c` cannot smuggle in what the URL parser already removed from the raw path.
 */
export function rendererRequestPath(url: string): string[] | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== RENDERER_HOST) return null;
  const raw = parsed.pathname === '/' || parsed.pathname === '' ? '/index.html' : parsed.pathname;
  const segments: string[] = [];
  for (const encoded of raw.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return null; // Malformed percent-encoding.
    }
    // Empty (`a//b` or a trailing slash: a folder), dot segments, separators of either platform,
    // NUL, and `:` (Windows drive letters and NTFS streams) all refuse.
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0:]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * `segments` joined under `root`, if they name a regular file that is still inside `root` once every
 * symlink is resolved; otherwise null.
 */
export async function resolveInsideFolder(root: string, segments: readonly string[]): Promise<string | null> {
  try {
    const realRoot = await realpath(root);
    const realFile = await realpath(path.join(realRoot, ...segments));
    const relative = path.relative(realRoot, realFile);
    if (relative === '' || path.isAbsolute(relative) || relative.split(path.sep)[0] === '..') return null;
    return (await stat(realFile)).isFile() ? realFile : null;
  } catch {
    return null; // Missing, unreadable, or a broken link: all "not found".
  }
}

function respond(status: number, body: string | Uint8Array | null, contentType: string): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': contentType,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      // The files change only with a new build; never serve a stale page after an update.
      'Cache-Control': 'no-cache',
    },
  });
}

/** Answers one `app://` request from the renderer folder `root`. Exported for tests. */
export async function serveRendererRequest(root: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return respond(405, `${request.method} is not allowed.`, 'text/plain; charset=utf-8');
  }
  const segments = rendererRequestPath(request.url);
  const file = segments === null ? null : await resolveInsideFolder(root, segments);
  if (file === null) {
    const notBuilt = (await resolveInsideFolder(root, ['index.html'])) === null;
    return respond(
      404,
      notBuilt
        ? `Style Mirror's page is not built: ${path.join(root, 'index.html')} is missing. Run \`npm run build\`.`
        : `Not found: ${request.url}`,
      'text/plain; charset=utf-8',
    );
  }
  const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
  return respond(200, body, mimeTypeFor(file));
}

/**
 * Serves the built renderer at `app://renderer/`. Call after `ready`, on the session the window
 * uses (the default one). Nothing else is reachable through the scheme.
 */
export function setupAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveRendererRequest(rendererDir, request));
}
