/**
 * The page's address. The renderer is served from a privileged `app://renderer/` scheme rather than
 * `file://`, so that it has a real origin of its own: every file on disk shares file://'s, and
 * permission, navigation and IPC checks all need an origin that only our page can have.
 */

/** The custom scheme the renderer is served from (registered in app-protocol.ts). */
export const APP_SCHEME = 'app';

/** The only host the `app` scheme serves: the built renderer. */
export const RENDERER_HOST = 'renderer';

/** The page the main window loads. */
export const RENDERER_URL = `${APP_SCHEME}://${RENDERER_HOST}/index.html`;

/**
 * Whether `url` (a page URL or an origin such as `app://renderer`) belongs to our renderer.
 * Compares scheme and host rather than `URL.origin`: Node's URL parser does not know `app` is a
 * standard scheme and reports its origin as the opaque `"null"`, unlike Chromium.
 */
export function isRendererUrl(url: string | null | undefined): boolean {
  if (typeof url !== 'string' || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === RENDERER_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
