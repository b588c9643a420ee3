import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * Faults a {@link PackServer} plays, each for one file named `<model>/<file>` (e.g. `udnie/Variable_12`).
 */
export interface PackServerFaults {
  /** The first request for this file sends half of it, then closes the connection. */
  readonly dropOnce?: string;
  /**
   * With `dropOnce`: close only once this settles. A client errors its body stream when the
   * connection drops, losing chunks it had received but not yet read; waiting until it has stored
   * the half makes what it keeps exact.
   */
  readonly dropAfter?: Promise<void>;
  /** Every Range header is ignored: full file, status 200. */
  readonly ignoreRange?: boolean;
  /** One byte in the middle is flipped, size unchanged. */
  readonly tamper?: string;
  /** 404. */
  readonly missing?: string;
  /** Never answered. */
  readonly stall?: string;
  /** Sent chunked (no Content-Length), with 1000 bytes more than the file has. */
  readonly oversize?: string;
}

export interface PackServer {
  /** Base URL of the models, ending in `/`: `<url><model>/<file>` is a file. */
  readonly url: string;
  /** Every request, in order: the file (`<model>/<file>`) and its Range header. */
  readonly requests: { readonly file: string; readonly range: string | undefined }[];
  close(): Promise<void>;
}

const PREFIX = '/models/style-transfer/';

/**
 * Serves ml5 model folders from `root` over HTTP on 127.0.0.1 (random port) the way a static host
 * does: `GET <PREFIX><model>/<file>`, with `Range: bytes=N-` answered 206, plus the faults asked for.
 */
export async function startPackServer(root: string, faults: PackServerFaults = {}): Promise<PackServer> {
  const requests: { file: string; range: string | undefined }[] = [];
  let dropped = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = decodeURIComponent(pathname.slice(PREFIX.length));
    requests.push({ file, range: req.headers.range });
    const parts = file.split('/');
    if (
      !pathname.startsWith(PREFIX) ||
      parts.length !== 2 ||
      parts.some((p) => p === '' || p.startsWith('.'))
    ) {
      return void res.writeHead(404).end();
    }
    if (file === faults.stall) return; // Keep the request open, answer nothing.
    if (file === faults.missing) return void res.writeHead(404).end('not found');

    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(root, ...parts));
    } catch {
      return void res.writeHead(404).end('not found');
    }
    if (file === faults.tamper) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length >> 1]! ^= 0xff;
    }
    if (file === faults.oversize) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length
      res.write(bytes);
      return void res.end(Buffer.alloc(1000));
    }

    const start = faults.ignoreRange ? null : rangeStart(req.headers.range);
    if (start !== null && start >= bytes.length) {
      return void res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
    }
    const body = bytes.subarray(start ?? 0);
    res.writeHead(start === null ? 200 : 206, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      ...(start === null ? {} : { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` }),
    });
    if (file === faults.dropOnce && !dropped) {
      dropped = true;
      // Half the bytes, then the connection ends short of Content-Length: a dropped transfer.
      res.write(body.subarray(0, body.length >> 1));
      await faults.dropAfter;
      res.socket?.end();
      return;
    }
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `bytes=N-` -> N; null for no header. Other range forms are not used by the client under test. */
function rangeStart(range: string | undefined): number | null {
  if (range === undefined) return null;
  const match = /^bytes=(\d+)-$/.exec(range);
  if (!match) throw new Error(`pack server: unexpected Range ${range}`);
  return Number(match[1]);
}
