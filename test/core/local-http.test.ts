import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, listen, tokensMatch, urlHost } from '../../main/core/local-http.js';

describe('local-http', () => {
  it('knows loopback addresses in every spelling, and nothing else', () => {
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '128.0.0.1', 'localhost.example', 'example.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('brackets IPv6 addresses for URLs only', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
    expect(urlHost('localhost')).toBe('localhost');
  });

  it('matches a token only when it is the same, whatever the lengths', () => {
    expect(tokensMatch('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokensMatch('s3cret-token', 's3cret-toke')).toBe(false);
    expect(tokensMatch('s3cret-token', 's3cret-token!')).toBe(false);
    expect(tokensMatch('s3cret-token', '')).toBe(false);
  });

  it('listens, and rejects with the reason when the port is taken', async () => {
    const first = createServer();
    await listen(first, '127.0.0.1', 0);
    const { port } = first.address() as AddressInfo;
    try {
      const second = createServer();
      await expect(listen(second, '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(second.listening).toBe(false);
    } finally {
      await new Promise((resolve) => first.close(resolve));
    }
  });
});
