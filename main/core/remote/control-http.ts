/**
 * The remote control over HTTP: a small JSON API (`/api/v1/…`) for a gallery's scripts, on loopback
 * unless `--control-host` says otherwise, and then only with a bearer token.
 *
 * A web page in the person's own browser must not be able to drive it: writes need
 * `Content-Type: application/json` (a cross-site form cannot send it, and a script that does needs a
 * CORS preflight, which is never answered), the Host header must name the bound address (DNS
 * rebinding), and no CORS header is ever sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isLoopbackHost, listen, tokensMatch, urlHost } from '../local-http.js';
import type { AddressInfo } from 'node:net';
import { parseRemoteVerb, RemoteVerbError, type RemoteVerbName, type RunVerb } from './remote-verbs.js';
import type { StatusDocument } from './status-document.js';

/** The largest request body: every verb's body is a few bytes. */
export const MAX_CONTROL_BODY_BYTES = 4096;

export const CONTROL_API_PREFIX = '/api/v1';

/** Each route's methods: GET status, else the verb it runs (with a body for PUT). */
const ROUTES: Readonly<Record<string, Readonly<Record<string, RemoteVerbName | 'status'>>>> = {
  '/status': { GET: 'status' },
  '/style/next': { POST: 'style-next' },
  '/style/previous': { POST: 'style-previous' },
  '/style': { PUT: 'select-style' },
  '/strength': { PUT: 'strength' },
  '/snapshot': { POST: 'snapshot' },
  '/kiosk': { PUT: 'kiosk' },
  '/cycle': { PUT: 'cycle' },
};

export interface ControlHttpOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly run: RunVerb;
  readonly status: () => Promise<StatusDocument>;
  readonly log: (line: string) => void;
}

export interface ControlHttp {
  readonly port: number;
  /** `http://host:port/api/v1`. */
  readonly url: string;
  /** The bearer token beyond loopback; null on loopback. */
  readonly token: string | null;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Starts the control API; resolves once it listens. */
export async function startControlHttp(options: ControlHttpOptions): Promise<ControlHttp> {
  const loopback = isLoopbackHost(options.host);
  const token = loopback ? null : randomBytes(24).toString('base64url');
  // A verb is a few bytes: a client that dawdles over one is cut off, not waited for.
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 });
  await listen(server, options.host, options.port).catch((error: unknown) => {
    throw new Error(
      `The remote control could not listen on ${urlHost(options.host)}:${options.port}: ${(error as Error).message}. ` +
        'Choose another --control-port.',
    );
  });
  const port = (server.address() as AddressInfo).port;
  const allowedHosts = new Set(
    ['localhost', '127.0.0.1', '[::1]', urlHost(options.host).toLowerCase()].map((h) => `${h}:${port}`),
  );

  function checkAccess(request: IncomingMessage): void {
    if (token !== null) {
      const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (presented === undefined || !tokensMatch(token, presented)) {
        throw new HttpProblem(
          401,
          'unauthorized',
          'This remote control needs `Authorization: Bearer <token>`: the token printed at start.',
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
      return;
    }
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) {
      throw new HttpProblem(
        403,
        'forbidden',
        `The remote control answers only to ${[...allowedHosts].join(', ')}, not to Host ${JSON.stringify(host)}.`,
      );
    }
  }

  async function answer(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    checkAccess(request);
    const url = new URL(request.url ?? '/', 'http://x');
    const routePath = url.pathname.startsWith(`${CONTROL_API_PREFIX}/`)
      ? url.pathname.slice(CONTROL_API_PREFIX.length)
      : '';
    const route = Object.hasOwn(ROUTES, routePath) ? ROUTES[routePath] : undefined;
    if (route === undefined) {
      throw new HttpProblem(
        404,
        'not-found',
        `No ${url.pathname} here; the API is under ${CONTROL_API_PREFIX}/ (see the README's Remote control).`,
      );
    }
    const method = request.method ?? '';
    const action = Object.hasOwn(route, method) ? route[method] : undefined;
    if (action === undefined) {
      const allowed = Object.keys(route).join(', ');
      throw new HttpProblem(405, 'method-not-allowed', `${url.pathname} takes ${allowed}, not ${method}.`, {
        allow: allowed,
      });
    }
    if (action === 'status') return { status: 200, body: await options.status() };
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      throw new HttpProblem(
        415,
        'unsupported-media-type',
        `${method} ${url.pathname} needs Content-Type: application/json (so that no web page can send it).`,
      );
    }
    const body = await readJsonBody(request);
    const outcome = await options.run(parseRemoteVerb(action, body));
    // Settings are saved by now (200); a command is on its way to the pages, which carry it out (202).
    return { status: outcome.settings === undefined ? 202 : 200, body: { ok: true, ...outcome } };
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      ({ status, body }) => sendJson(response, status, body),
      (error: unknown) => {
        if (error instanceof HttpProblem) {
          sendJson(response, error.status, problem(error.code, error.message), error.headers);
        } else if (error instanceof RemoteVerbError) {
          sendJson(response, error.status, problem(error.code, error.message));
        } else {
          options.log(`remote control: ${request.method} ${request.url}: ${(error as Error).message}`);
          sendJson(response, 500, problem('internal', 'Internal error; the log says more.'));
        }
        // Unread body bytes (a refused upload) would otherwise keep the connection busy.
        if (!request.complete) request.destroy();
      },
    );
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${isWildcard(options.host) ? 'localhost' : urlHost(options.host)}:${port}${CONTROL_API_PREFIX}`,
    token,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** The body as a JSON object: empty means `{}`; anything bigger than the limit, or not an object, is refused. */
async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_CONTROL_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, 'invalid-request', `The body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpProblem(400, 'invalid-request', 'The body must be a JSON object, like {"value": 0.5}.');
  }
  return value as Record<string, unknown>;
}

function tooLarge(): HttpProblem {
  return new HttpProblem(413, 'too-large', `A request body is at most ${MAX_CONTROL_BODY_BYTES} bytes.`);
}

function problem(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
}
