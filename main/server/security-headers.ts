/**
 * The page's Content Security Policy: the same strict policy as the Electron window, plus the
 * page's own WebSocket. Nothing inline, nothing from elsewhere; the camera arrives as a mediastream:
 * and snapshots/thumbnails as blob: or data: URLs.
 */
export function contentSecurityPolicy(wsOrigin: string | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    // 'self' covers ws: to our own host in current browsers, older ones need it spelled out.
    `connect-src 'self'${wsOrigin === null ? '' : ` ${wsOrigin}`}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A Host header safe to write into a header value: host name or address and a port, nothing else. */
const PLAIN_HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * Headers on every response: the CSP (with `ws://<host>` for the host the browser used), no MIME
 * sniffing, and no Referer: page addresses can carry the access token.
 */
export function securityHeaders(hostHeader: string | undefined): Record<string, string> {
  const wsOrigin = hostHeader !== undefined && PLAIN_HOST.test(hostHeader) ? `ws://${hostHeader}` : null;
  return {
    'content-security-policy': contentSecurityPolicy(wsOrigin),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}
