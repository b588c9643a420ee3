import { TOKEN_PARAM, WIRE_PATH } from '../../../common/wire.js';

/**
 * The browser-mode server's WebSocket address for this page: same host, `/ws`, and the page's own
 * access token (the server puts it in the URL it prints when it listens beyond loopback).
 */
export function wireUrl(page: { protocol: string; host: string; search: string }): string {
  const url = new URL(`${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${WIRE_PATH}`);
  const token = new URLSearchParams(page.search).get(TOKEN_PARAM);
  if (token !== null) url.searchParams.set(TOKEN_PARAM, token);
  return url.href;
}

/** Why a WebSocket closed, for people: the server's reason if it gave one. */
export function closeReason(code: number, reason: string): string {
  if (reason !== '') return reason;
  // 1006: closed without a close frame, i.e. the server went away or the network dropped.
  if (code === 1006) return 'the connection was lost';
  return `the server closed the connection (code ${code})`;
}
