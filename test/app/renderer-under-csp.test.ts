/**
 * The built renderer, served exactly as the app:// handler serves it (same function, same headers),
 * runs in Chromium under the handler's Content-Security-Policy. Electron cannot run here, but its page
 * is Chromium's: a bundle that needs inline script, eval or a foreign origin would show Electron users
 * a black window, and fails here instead. Served over loopback HTTP, where 'self' means the same.
 */
// app-protocol.ts imports electron (for protocol.handle); the function under test does not use it.
import './electron-mock.js';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRendererRequest } from '../../main/app/app-protocol.js';
import { contentSecurityPolicy } from '../../main/core/renderer-assets.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const RENDERER_DIR = path.join(REPO_ROOT, 'dist/renderer');

/** The page's document, reached through `globalThis` because this file compiles without the DOM lib. */
interface PageGlobals {
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { blockedURI: string; violatedDirective: string }) => void,
    ): void;
    getElementById(id: string): { childElementCount: number } | null;
  };
}

describe.skipIf(!chromiumAvailable())("the built renderer under the app protocol's policy", () => {
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error(
        `${RENDERER_DIR}/index.html is missing: run \`npm run build\` first (\`npm test\` does).`,
      );
    }
    server = createServer((req, res) => {
      const request = new Request(`app://renderer${req.url ?? '/'}`, { method: req.method ?? 'GET' });
      serveRendererRequest(RENDERER_DIR, request)
        .then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('loads and renders with the policy in force and nothing refused', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) refused.push(message.text());
    });
    await page.addInitScript(() => {
      (globalThis as unknown as PageGlobals).document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Content Security Policy refused ${event.blockedURI} (${event.violatedDirective})`);
      });
    });
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toBe(contentSecurityPolicy());
    // React has rendered something into the root: the bundle ran.
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as PageGlobals).document.getElementById('root')?.childElementCount ?? 0) > 0,
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(refused).toEqual([]);
    await page.close();
  });
});
