import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import {
  decodeWire,
  encodeWire,
  WIRE_PATH,
  type ClientMessage,
  type ServerMessage,
} from '../../common/wire.js';
import type { EngineCaller, EngineCalls, EngineMethod } from '../../common/engine-protocol.js';

/** A browser-mode WebSocket client for tests: sends messages, collects replies by id. */
export interface WireClient {
  readonly socket: WebSocket;
  /** Sends a message (or raw bytes/text) without waiting. */
  send(message: ClientMessage | Uint8Array | string): void;
  /** The next reply with `id`, whenever it arrives (also one that arrived already). */
  reply(id: number): Promise<ServerMessage>;
  /** Every reply received so far, in order. */
  readonly replies: ServerMessage[];
  /** Resolves when the socket closes, with the close code and reason the server gave. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens the WebSocket at `base` (the page URL), sending `origin` unless it is null. */
export async function openWire(
  base: string,
  options: { origin?: string | null; token?: string | null; path?: string } = {},
): Promise<WireClient> {
  const url = new URL(options.path ?? WIRE_PATH, base.replace(/^http/, 'ws'));
  if (options.token) url.searchParams.set('token', options.token);
  const origin = options.origin === undefined ? new URL(base).origin : options.origin;
  const socket = new WebSocket(url, origin === null ? {} : { origin });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode}: ${body}`), {
            statusCode: res.statusCode,
            body,
          }),
        ),
      );
    });
  });

  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  // A server that cuts the connection makes an error first; `closed` tells the test what happened.
  socket.on('error', () => undefined);
  const replies: ServerMessage[] = [];
  const waiters = new Map<number, (message: ServerMessage) => void>();
  socket.on('message', (data: Buffer) => {
    const message = decodeWire(data) as ServerMessage;
    replies.push(message);
    waiters.get(message.id)?.(message);
    waiters.delete(message.id);
  });
  return {
    socket,
    replies,
    closed,
    send: (message) =>
      socket.send(
        typeof message === 'string' || message instanceof Uint8Array ? message : encodeWire(message),
      ),
    reply: (id) => {
      const arrived = replies.find((r) => r.id === id);
      if (arrived !== undefined) return Promise.resolve(arrived);
      return new Promise((resolve) => waiters.set(id, resolve));
    },
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** The status code a refused upgrade got (throws if it was accepted). */
export async function upgradeStatus(base: string, options: Parameters<typeof openWire>[1]): Promise<number> {
  return (await upgradeRefusal(base, options)).status;
}

/** The status and text of a refused upgrade (throws if it was accepted). */
export async function upgradeRefusal(
  base: string,
  options: Parameters<typeof openWire>[1],
): Promise<{ status: number; body: string }> {
  try {
    const client = await openWire(base, options);
    await client.close();
  } catch (error) {
    const { statusCode, body } = error as { statusCode?: number; body?: string };
    if (statusCode !== undefined) return { status: statusCode, body: body ?? '' };
    throw error;
  }
  throw new Error('the upgrade was accepted');
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A GET with the path sent exactly as given (fetch would normalise `..` away) and any headers, Host
 * included.
 */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname.replace(/^\[|\]$/g, ''), port, path, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * An engine stand-in whose `stylize` and `thumbnail` calls wait until the test releases them, so a
 * test can hold frames and control requests "in flight" as long as it likes. Other calls answer at once.
 */
export class HeldEngine implements EngineCaller {
  readonly held: { release: () => void; params: EngineCalls['stylize']['params'] }[] = [];
  readonly heldThumbnails: { release: () => void }[] = [];
  closed = false;

  call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
  ): Promise<EngineCalls[M]['result']> {
    if (method === 'stylize') {
      const p = params as EngineCalls['stylize']['params'];
      return new Promise((resolve) => {
        this.held.push({
          params: p,
          release: () =>
            resolve({
              frame: p.frame,
              networkSize: { width: p.frame.width, height: p.frame.height },
              timings: { prepareMs: 0, networkMs: 1, finishMs: 0, totalMs: 1 },
            } as EngineCalls[M]['result']),
        });
      });
    }
    if (method === 'thumbnail') {
      const { frame } = params as EngineCalls['thumbnail']['params'];
      return new Promise((resolve) => {
        this.heldThumbnails.push({ release: () => resolve(frame as EngineCalls[M]['result']) });
      });
    }
    if (method === 'status') return Promise.resolve(null as EngineCalls[M]['result']);
    return Promise.reject(new Error(`HeldEngine does not do ${method}`));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
