/**
 * An HTTP proxy on loopback that refuses everything and remembers what was asked of it. Chromium
 * launched with `--proxy-server` sends it every request that would leave the machine (loopback
 * bypasses proxies), so a test can assert that a page asked for nothing beyond this machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RefusingProxy {
  readonly url: string;
  /** Every request or tunnel asked for, as `METHOD target`. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startRefusingProxy(): Promise<RefusingProxy> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
    response.writeHead(403).end('refused by the offline test');
  });
  server.on('connect', (request, socket) => {
    requests.push(`CONNECT ${request.url ?? '?'}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
