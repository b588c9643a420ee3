import { electronMock, resetElectronMock } from './electron-mock.js';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  registerAppScheme,
  rendererRequestPath,
  serveRendererRequest,
  setupAppProtocol,
} from '../../main/app/app-protocol.js';
import { contentSecurityPolicy } from '../../main/core/renderer-assets.js';
import { makeRendererFolder, SECRET, type RendererFolder } from '../support/renderer-folder.js';

// The path rules, the policy and the folder containment have their own tests in
// test/core/renderer-assets.test.ts; these check that the app:// handler applies them.
const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

describe('rendererRequestPath', () => {
  it('maps our URLs to path segments, and the root to index.html', () => {
    expect(rendererRequestPath('app://renderer/')).toEqual(['index.html']);
    expect(rendererRequestPath('app://renderer')).toEqual(['index.html']);
    expect(rendererRequestPath('app://renderer/index.html')).toEqual(['index.html']);
    expect(rendererRequestPath('app://renderer/assets/index-abc.js?v=1#top')).toEqual([
      'assets',
      'index-abc.js',
    ]);
    expect(rendererRequestPath('app://renderer/assets/my%20style.css')).toEqual(['assets', 'my style.css']);
  });

  it('resolves literal dot segments the way the URL parser does, never above the root', () => {
    // The WHATWG parser removes these (and %2e%2e) before anything else sees the path.
    expect(rendererRequestPath('app://renderer/../../etc/passwd')).toEqual(['etc', 'passwd']);
    expect(rendererRequestPath('app://renderer/%2e%2e/%2E%2E/etc/passwd')).toEqual(['etc', 'passwd']);
    expect(rendererRequestPath('app://renderer/assets/./../index.html')).toEqual(['index.html']);
  });

  it.each([
    ['an encoded slash hiding a parent folder', 'app://renderer/..%2f..%2fetc%2fpasswd'],
    ['a literal backslash', 'app://renderer/..\\..\\etc\\passwd'],
    ['an encoded NUL', 'app://renderer/index.html%00.png'],
    ['a folder (trailing slash)', 'app://renderer/assets/'],
    ['another host', 'app://other/index.html'],
    ['a host with a port', 'app://renderer:8080/index.html'],
    ['another scheme', 'file:///work/main/dist/renderer/index.html'],
    ['not a URL', 'index.html'],
  ])('refuses %s', (_what, url) => {
    expect(rendererRequestPath(url)).toBeNull();
  });
});

describe('with a renderer folder on disk', () => {
  let folder: RendererFolder;
  let root: string;
  beforeAll(async () => {
    folder = await makeRendererFolder();
    root = folder.root;
  });
  afterAll(() => folder.remove());

  describe('serveRendererRequest', () => {
    const get = (url: string, method = 'GET') => serveRendererRequest(root, new Request(url, { method }));

    it('serves files with their MIME type and the Content-Security-Policy', async () => {
      const page = await get('app://renderer/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await page.text()).toContain('<title>Style Mirror</title>');

      const script = await get('app://renderer/assets/app.js');
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await script.text()).toBe('console.log("mirror");');
      expect((await get('app://renderer/assets/app.css')).headers.get('content-type')).toBe(
        'text/css; charset=utf-8',
      );
      expect((await get('app://renderer/assets/blob.xyz')).headers.get('content-type')).toBe(
        'application/octet-stream',
      );
    });

    it.each([
      'app://renderer/assets/escape.js',
      'app://renderer/linked-folder/secret.txt',
      'app://renderer/..%2foutside%2fsecret.txt',
      'app://renderer/%2e%2e/outside/secret.txt',
      'app://renderer/missing.js',
      'app://other/index.html',
    ])('answers 404, with the policy, for %s', async (url) => {
      const response = await get(url);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text()).not.toContain(SECRET);
    });

    it('answers HEAD without a body, and refuses other methods', async () => {
      const head = await get('app://renderer/index.html', 'HEAD');
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const post = await get('app://renderer/index.html', 'POST');
      expect(post.status).toBe(405);
      expect(post.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    });

    it('says how to build the page when it is not built', async () => {
      const response = await serveRendererRequest(
        path.join(folder.temp, 'not-built'),
        new Request('app://renderer/'),
      );
      expect(response.status).toBe(404);
      expect(await response.text()).toMatch(/not built: .*index\.html is missing\. Run `npm run build`/);
    });
  });

  describe('setupAppProtocol', () => {
    beforeEach(() => resetElectronMock());

    it('serves the folder on the app scheme', async () => {
      setupAppProtocol(root);
      const handler = electronMock.protocol.handlers.get('app');
      expect(handler).toBeDefined();
      const response = await handler!(new Request('app://renderer/index.html'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    });
  });
});

describe('registerAppScheme', () => {
  it('registers app: as standard, secure and fetchable', () => {
    resetElectronMock();
    registerAppScheme();
    expect(electronMock.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });
});
