/**
 * Serving the built renderer safely: the page's Content-Security-Policy, which file a request path
 * names, and whether that file may be served. Electron's app:// handler and browser mode's HTTP server
 * both use these, so the two ways of showing the page cannot drift apart; each keeps only its transport
 * (Electron's Response, node:http streams) and its own extra headers.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** What may stand in connect-src beside 'self': one source expression, nothing that could end the directive. */
const SOURCE_EXPRESSION = /^[a-z][a-z0-9+.-]*:\/\/[^\s;,'"]+$/i;

/**
 * The page's Content-Security-Policy, sent with every response: scripts, styles and connections only
 * from the page's own origin; pictures may also be blob:/data: (style images, snapshots) and media the
 * camera's stream. No plugins, no <base>, no framing, no form posts, nothing inline.
 *
 * @param extraConnectSrc one more origin the page may connect to: browser mode names its own
 *   `ws://host:port`, since older browsers do not count ws: to the page's host as 'self'.
 * @throws {Error} when `extraConnectSrc` is not a single `scheme://host` source (it goes into a header).
 */
export function contentSecurityPolicy(extraConnectSrc?: string): string {
  if (extraConnectSrc !== undefined && !SOURCE_EXPRESSION.test(extraConnectSrc)) {
    throw new Error(
      `The extra connect-src for the page's policy must be one source like ws://127.0.0.1:8080, ` +
        `got ${JSON.stringify(extraConnectSrc)}.`,
    );
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    extraConnectSrc === undefined ? "connect-src 'self'" : `connect-src 'self' ${extraConnectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Content types of what a Vite build emits; anything else is served as opaque bytes. */
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

/** The Content-Type for a file, by extension (case-insensitive); unknown kinds are `application/octet-stream`. */
export function mimeTypeFor(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL's path names, as path segments relative to the renderer folder (`/` and `` are
 * `index.html`), or null when it could leave the folder or names no file. Pass the pathname as the
 * WHATWG URL parser gives it (still percent-encoded; literal dot segments already resolved). Each
 * segment is checked after percent-decoding, so that `%2e%2e`, `%2f` and `%5c` cannot smuggle in what
 * the parser already removed from the raw path.
 */
export function requestPathSegments(pathname: string): string[] | null {
  if (pathname === '' || pathname === '/') return ['index.html'];
  if (!pathname.startsWith('/')) return null;
  const segments: string[] = [];
  for (const encoded of pathname.slice(1).split('/')) {
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
 * `segments` joined under `root`, with every symlink resolved, if that is a regular file still inside
 * `root`; otherwise null (missing, unreadable, a folder, a broken link, or a link leading out).
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
