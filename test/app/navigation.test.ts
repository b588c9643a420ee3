import { electronMock, MockWebContents, resetElectronMock } from './electron-mock.js';
import type { WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { guardWebContents, setupNavigationGuards } from '../../main/app/navigation.js';

/** An Electron-style event: the details plus preventDefault. */
function navigationEvent(url: string, isMainFrame = true) {
  return { url, isMainFrame, preventDefault: vi.fn() };
}

describe('guardWebContents', () => {
  let contents: MockWebContents;

  beforeEach(() => {
    resetElectronMock();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    contents = new MockWebContents();
    guardWebContents(contents as unknown as WebContents);
  });

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'])(
    '%s: stays on app://renderer and refuses anywhere else',
    (eventName) => {
      const inside = navigationEvent('app://renderer/index.html', eventName !== 'will-frame-navigate');
      contents.emit(eventName, inside);
      expect(inside.preventDefault).not.toHaveBeenCalled();
      for (const url of [
        'https://example.com/',
        'file:///etc/passwd',
        'app://other/index.html',
        'javascript:alert(1)',
      ]) {
        const outside = navigationEvent(url, eventName !== 'will-frame-navigate');
        contents.emit(eventName, outside);
        expect(outside.preventDefault, url).toHaveBeenCalled();
      }
    },
  );

  it('denies every new window', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://renderer/index.html' })).toEqual({ action: 'deny' });
  });

  it('refuses to attach a <webview>', () => {
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });
});

describe('setupNavigationGuards', () => {
  it('guards every webContents the app creates', () => {
    resetElectronMock();
    setupNavigationGuards();
    const contents = new MockWebContents();
    electronMock.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.listenerCount('will-navigate')).toBe(1);
  });
});
