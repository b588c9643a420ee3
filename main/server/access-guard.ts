import { randomBytes } from 'node:crypto';
import { isLoopbackHost, tokensMatch, urlHost } from '../core/local-http.js';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM } from '../../common/wire.js';

/** Why a request is turned away: always answered with 403 and this text. */
export interface Refusal {
  readonly reason: string;
}

/**
 * Decides who may use the browser-mode server. On loopback, anything on this machine may, but only
 * under our own host name (a page on evil.example whose DNS later points at 127.0.0.1 sends
 * `Host: evil.example`: DNS rebinding). Beyond loopback, every request must carry the random token
 * printed at start, in the query or in the cookie the first request sets. Either way, a WebSocket
 * must come from our own page (its Origin is us): otherwise any site open in the same browser could
 * drive the engine.
 */
export interface AccessGuard {
  /** The access token, or null on loopback where none is needed. */
  readonly token: string | null;
  /** Checks an HTTP request or a WebSocket upgrade; null when it may proceed. */
  check(request: IncomingMessage, kind: 'http' | 'upgrade'): Refusal | null;
  /**
   * A `Set-Cookie` value remembering the token, for a request that brought it in its query: the
   * page's scripts and styles are requested without the query.
   */
  tokenCookie(request: IncomingMessage): string | undefined;
}

/** Bytes of randomness in a token: 192 bits, well beyond guessing. */
const TOKEN_BYTES = 24;

export function createAccessGuard(options: { host: string; port: number }): AccessGuard {
  const loopback = isLoopbackHost(options.host);
  const token = loopback ? null : randomBytes(TOKEN_BYTES).toString('base64url');
  // Per port: two servers on one machine share cookies (cookies ignore ports), not tokens.
  const cookieName = `stylemirror-token-${options.port}`;
  const allowedHosts = new Set(
    ['localhost', '127.0.0.1', '[::1]', urlHost(options.host).toLowerCase()].map(
      (h) => `${h}:${options.port}`,
    ),
  );

  function check(request: IncomingMessage, kind: 'http' | 'upgrade'): Refusal | null {
    const host = (request.headers.host ?? '').toLowerCase();
    if (token === null) {
      if (!allowedHosts.has(host)) {
        return {
          reason:
            `Style Mirror answers only to ${[...allowedHosts].join(', ')}, not to Host ${JSON.stringify(host)}. ` +
            'Open the address the server printed.',
        };
      }
    } else if (!tokenMatches(token, presentedToken(request, cookieName))) {
      return {
        reason:
          'This Style Mirror server needs the access token it printed when it started: open the full ' +
          `address, with ?${TOKEN_PARAM}=…`,
      };
    }
    if (kind === 'upgrade') {
      // Browsers always send Origin on a WebSocket; a page from elsewhere sends its own.
      const origin = request.headers.origin?.toLowerCase();
      if (origin !== `http://${host}`) {
        return {
          reason: `WebSockets are open only to Style Mirror's own page (http://${host}), not to origin ${JSON.stringify(origin ?? null)}.`,
        };
      }
    }
    return null;
  }

  function tokenCookie(request: IncomingMessage): string | undefined {
    if (token === null || !tokenMatches(token, queryToken(request))) return undefined;
    return `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  return { token, check, tokenCookie };
}

function queryToken(request: IncomingMessage): string | undefined {
  try {
    return new URL(request.url ?? '/', 'http://x').searchParams.get(TOKEN_PARAM) ?? undefined;
  } catch {
    return undefined;
  }
}

function presentedToken(request: IncomingMessage, cookieName: string): string | undefined {
  const fromQuery = queryToken(request);
  if (fromQuery !== undefined) return fromQuery;
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, value] = pair.trim().split('=', 2);
    if (name === cookieName) return value;
  }
  return undefined;
}

function tokenMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && tokensMatch(expected, presented);
}
