import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';
import {
  contentSecurityPolicy,
  mimeTypeFor,
  requestPathSegments,
  resolveInsideFolder,
} from '../core/renderer-assets.js';
import { APP_SCHEME, RENDERER_HOST } from './app-origin.js';

/** The policy the page runs under; the same as browser mode's but for its WebSocket origin. */
const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

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
 * The file an `app://renderer/...` URL names, as path segments relative to the renderer folder (see
 * {@link requestPathSegments}), or null when the URL is not ours or tries to leave the folder.
 */
export function rendererRequestPath(url: string): string[] | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== RENDERER_HOST) return null;
  return requestPathSegments(parsed.pathname);
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
