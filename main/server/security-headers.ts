import { contentSecurityPolicy } from '../core/renderer-assets.js';

/** A Host header safe to write into a header value: host name or address and a port, nothing else. */
const PLAIN_HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * Headers on every response: the same CSP as the Electron window plus `ws://<host>` (the page's own
 * WebSocket, for the host the browser used), no MIME sniffing, and no Referer: page addresses can
 * carry the access token.
 */
export function securityHeaders(hostHeader: string | undefined): Record<string, string> {
  const wsOrigin = hostHeader !== undefined && PLAIN_HOST.test(hostHeader) ? `ws://${hostHeader}` : undefined;
  return {
    'content-security-policy': contentSecurityPolicy(wsOrigin),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}
