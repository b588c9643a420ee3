import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A running loopback file server. */
export interface StaticServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  /** Stops accepting connections and drops open ones. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.wasm': 'application/wasm',
  '.rgb': 'application/octet-stream',
};

/**
 * Serves files read-only from named roots: `GET /<name>/<rest>` maps to `<roots[name]>/<rest>`.
 * Listens on 127.0.0.1 on a random free port. A request that resolves (after symlinks) outside its
 * root, or names no root, gets 404. ml5's model weight files (`Variable_12`) have no extension:
 * anything unknown is served as `application/octet-stream`.
 */
export async function startStaticServer(roots: Readonly<Record<string, string>>): Promise<StaticServer> {
  const resolvedRoots = new Map<string, string>();
  for (const [name, dir] of Object.entries(roots)) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`static server: bad root name ${JSON.stringify(name)}`);
    resolvedRoots.set(name, await realpath(dir));
  }

  const server = createServer((req, res) => {
    serve(resolvedRoots, req, res).catch(() => send(res, 500, 'internal error'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Chromium keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function serve(roots: Map<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(res, 400, 'bad request');
  }
  const [, rootName = '', ...rest] = pathname.split('/');
  const root = roots.get(rootName);
  if (root === undefined || pathname.includes('\0')) return send(res, 404, 'not found');

  let file: string;
  try {
    // realpath resolves `..` and symlinks, so the containment check below sees the real target.
    file = await realpath(path.join(root, ...rest));
  } catch {
    return send(res, 404, 'not found');
  }
  if (file !== root && !file.startsWith(root + path.sep)) return send(res, 404, 'not found');
  const info = await stat(file);
  if (!info.isFile()) return send(res, 404, 'not found');

  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

function send(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
