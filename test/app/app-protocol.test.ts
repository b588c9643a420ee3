import { electronMock, resetElectronMock } from './electron-mock.js';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  registerAppScheme,
  rendererRequestPath,
  resolveInsideFolder,
  serveRendererRequest,
  setupAppProtocol,
} from '../../main/app/app-protocol.js';

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
    ['an encoded slash', 'app://renderer/assets%2findex.js'],
    ['an encoded backslash', 'app://renderer/..%5c..%5cwindows%5cwin.ini'],
    ['a literal backslash', 'app://renderer/..\\..\\etc\\passwd'],
    ['an encoded NUL', 'app://renderer/index.html%00.png'],
    ['a drive letter', 'app://renderer/C:%5cWindows%5cwin.ini'],
    ['an NTFS stream', 'app://renderer/index.html:secret'],
    ['malformed percent-encoding', 'app://renderer/%E0%A4%A'],
    ['a folder (trailing slash)', 'app://renderer/assets/'],
    ['an empty segment', 'app://renderer/assets//index.js'],
    ['another host', 'app://other/index.html'],
    ['a host with a port', 'app://renderer:8080/index.html'],
    ['another scheme', 'file:///work/main/dist/renderer/index.html'],
    ['not a URL', 'index.html'],
  ])('refuses %s', (_what, url) => {
    expect(rendererRequestPath(url)).toBeNull();
  });
});

describe('with a renderer folder on disk', () => {
  let temp: string;
  let root: string;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-protocol-'));
    root = path.join(temp, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await mkdir(path.join(temp, 'outside'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Style Mirror</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log("mirror");');
    await writeFile(path.join(root, 'assets', 'app.css'), 'body { background: black; }');
    await writeFile(path.join(root, 'assets', 'blob.xyz'), 'opaque');
    await writeFile(path.join(temp, 'outside', 'secret.txt'), 'TOP SECRET CONTENTS');
    await writeFile(path.join(temp, 'renderer-sibling.txt'), 'sibling');
    // Links that lead out of the folder, and one that stays inside.
    await symlink(path.join(temp, 'outside', 'secret.txt'), path.join(root, 'assets', 'escape.js'));
    await symlink(path.join(temp, 'outside'), path.join(root, 'linked-folder'));
    await symlink('app.js', path.join(root, 'assets', 'alias.js'));
    await symlink(path.join(temp, 'nowhere'), path.join(root, 'broken.js'));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));

  describe('resolveInsideFolder', () => {
    it('finds files inside, including through links that stay inside', async () => {
      expect(await resolveInsideFolder(root, ['index.html'])).toBe(path.join(root, 'index.html'));
      expect(await resolveInsideFolder(root, ['assets', 'alias.js'])).toBe(
        path.join(root, 'assets', 'app.js'),
      );
    });

    it.each([
      ['a link to a file outside', ['assets', 'escape.js']],
      ['a file through a linked folder outside', ['linked-folder', 'secret.txt']],
      ['a broken link', ['broken.js']],
      ['a missing file', ['missing.js']],
      ['a folder', ['assets']],
      ['parent segments', ['..', 'outside', 'secret.txt']],
      ['a sibling sharing the prefix', ['..', 'renderer-sibling.txt']],
      // path.join keeps it under the root, where there is no such file.
      ['an absolute path', ['/etc/passwd']],
      ['the folder itself', []],
    ])('refuses %s', async (_what, segments) => {
      expect(await resolveInsideFolder(root, segments)).toBeNull();
    });
  });

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

    it('has a strict policy: nothing from elsewhere, no plugins, no framing, no forms', () => {
      const directives = new Map(
        CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
      );
      expect(directives.get('default-src')).toBe("'self'");
      expect(directives.get('script-src')).toBe("'self'");
      expect(directives.get('style-src')).toBe("'self'");
      expect(directives.get('img-src')).toBe("'self' blob: data:");
      expect(directives.get('media-src')).toBe("'self' blob: mediastream:");
      expect(directives.get('connect-src')).toBe("'self'");
      expect(directives.get('object-src')).toBe("'none'");
      expect(directives.get('base-uri')).toBe("'none'");
      expect(directives.get('frame-ancestors')).toBe("'none'");
      expect(directives.get('form-action')).toBe("'none'");
      expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe/);
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
      expect(await response.text()).not.toContain('TOP SECRET');
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
        path.join(temp, 'not-built'),
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
