import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  mimeTypeFor,
  requestPathSegments,
  resolveInsideFolder,
} from '../../main/core/renderer-assets.js';
import { makeRendererFolder, type RendererFolder } from '../support/renderer-folder.js';

/** The policy as a map from directive name to its sources. */
function directives(policy: string): Map<string, string> {
  return new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1).join(' ')]));
}

describe('contentSecurityPolicy', () => {
  it('is strict: nothing from elsewhere, nothing inline, no plugins, no framing, no forms', () => {
    const policy = directives(contentSecurityPolicy());
    expect(policy.get('default-src')).toBe("'self'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('style-src')).toBe("'self'");
    expect(policy.get('img-src')).toBe("'self' blob: data:");
    expect(policy.get('media-src')).toBe("'self' blob: mediastream:");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(policy.get('form-action')).toBe("'none'");
    expect(policy.size).toBe(10);
    expect(contentSecurityPolicy()).not.toMatch(/unsafe/);
  });

  it("adds browser mode's WebSocket origin to connect-src and changes nothing else", () => {
    const plain = directives(contentSecurityPolicy());
    const withSocket = directives(contentSecurityPolicy('ws://127.0.0.1:5173'));
    expect(withSocket.get('connect-src')).toBe("'self' ws://127.0.0.1:5173");
    withSocket.delete('connect-src');
    plain.delete('connect-src');
    expect(withSocket).toEqual(plain);
    expect(contentSecurityPolicy('ws://[::1]:8080')).toContain("connect-src 'self' ws://[::1]:8080;");
  });

  it.each([
    ['another directive', "ws://x; script-src 'unsafe-inline'"],
    ['a second source', 'ws://x https://evil.example'],
    ['a keyword', "'unsafe-eval'"],
    ['a bare host', 'evil.example'],
    ['a header break', 'ws://x\r\nSet-Cookie: a=b'],
    ['nothing', ''],
  ])('refuses %s as the extra connect-src, naming it', (_what, source) => {
    expect(() => contentSecurityPolicy(source)).toThrow(/extra connect-src.*must be one source.*got "/);
  });
});

describe('mimeTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['worker.mjs', 'text/javascript; charset=utf-8'],
    ['assets/app.css', 'text/css; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
    ['icon.png', 'image/png'],
    ['PHOTO.JPG', 'image/jpeg'],
    ['font.woff2', 'font/woff2'],
    ['font.ttf', 'font/ttf'],
    ['ort-wasm-simd.wasm', 'application/wasm'],
    ['assets/blob.xyz', 'application/octet-stream'],
    ['LICENSE', 'application/octet-stream'],
  ])('%s is %s', (file, type) => {
    expect(mimeTypeFor(file)).toBe(type);
  });
});

describe('requestPathSegments', () => {
  it('maps a URL path to segments, and the root to index.html', () => {
    expect(requestPathSegments('/')).toEqual(['index.html']);
    expect(requestPathSegments('')).toEqual(['index.html']);
    expect(requestPathSegments('/index.html')).toEqual(['index.html']);
    expect(requestPathSegments('/assets/index-abc.js')).toEqual(['assets', 'index-abc.js']);
    expect(requestPathSegments('/assets/my%20style.css')).toEqual(['assets', 'my style.css']);
  });

  it.each([
    ['an encoded slash hiding a parent folder', '/..%2f..%2fetc%2fpasswd'],
    ['encoded dots and slashes', '/%2e%2e%2f%2e%2e%2fsecret.txt'],
    ['an encoded slash', '/assets%2findex.js'],
    ['an encoded backslash', '/..%5c..%5cwindows%5cwin.ini'],
    ['a literal backslash', '/..\\..\\etc\\passwd'],
    ['an encoded NUL', '/index.html%00.png'],
    ['a drive letter', '/C:%5cWindows%5cwin.ini'],
    ['an NTFS stream', '/index.html:secret'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['a folder (trailing slash)', '/assets/'],
    ['an empty segment', '/assets//index.js'],
    // The URL parser resolves these before a path gets here; a path that still has them refuses.
    ['a parent segment', '/../etc/passwd'],
    ['an encoded parent segment', '/%2e%2e/etc/passwd'],
    ['a dot segment', '/./index.html'],
    ['a relative path', 'index.html'],
  ])('refuses %s', (_what, pathname) => {
    expect(requestPathSegments(pathname)).toBeNull();
  });
});

describe('resolveInsideFolder', () => {
  let folder: RendererFolder;
  beforeAll(async () => (folder = await makeRendererFolder()));
  afterAll(() => folder.remove());

  it('finds files inside, including through links that stay inside', async () => {
    expect(await resolveInsideFolder(folder.root, ['index.html'])).toBe(path.join(folder.root, 'index.html'));
    expect(await resolveInsideFolder(folder.root, ['assets', 'alias.js'])).toBe(
      path.join(folder.root, 'assets', 'app.js'),
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
    expect(await resolveInsideFolder(folder.root, segments)).toBeNull();
  });

  it('refuses everything when the folder itself is missing', async () => {
    expect(await resolveInsideFolder(path.join(folder.temp, 'not-built'), ['index.html'])).toBeNull();
  });
});
