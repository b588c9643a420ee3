import { electronMock, MockBrowserWindow, resetElectronMock } from './electron-mock.js';
import { session, type BrowserWindow } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decidePermission, setupPermissions, type PermissionAsk } from '../../main/app/permissions.js';
import { OwnWindows } from '../../main/app/window.js';

const OUR_PAGE = 'app://renderer/index.html';

const camera: PermissionAsk = {
  permission: 'media',
  fromOwnWindow: true,
  isMainFrame: true,
  origins: [OUR_PAGE, 'app://renderer'],
  mediaTypes: ['video'],
};

describe('decidePermission', () => {
  it('grants the camera to our own page', () => {
    expect(decidePermission(camera)).toBe(true);
  });

  it('grants fullscreen to our own page (F11 and double-click use the Fullscreen API)', () => {
    expect(decidePermission({ ...camera, permission: 'fullscreen', mediaTypes: undefined })).toBe(true);
  });

  it.each<[string, Partial<PermissionAsk>]>([
    ['the microphone', { mediaTypes: ['audio'] }],
    ['camera and microphone together', { mediaTypes: ['video', 'audio'] }],
    ['media of an unknown kind', { mediaTypes: ['unknown'] }],
    ['media with no kind named', { mediaTypes: undefined }],
    ['media with an empty kind list', { mediaTypes: [] }],
    ['a foreign origin', { origins: ['https://example.com/'] }],
    ['a foreign origin beside ours', { origins: [OUR_PAGE, 'https://example.com'] }],
    ['a file:// page', { origins: ['file:///index.html'] }],
    ['no origin at all', { origins: [undefined, ''] }],
    ['a subframe of our page', { isMainFrame: false }],
    ['a page in another window', { fromOwnWindow: false }],
    ['notifications', { permission: 'notifications', mediaTypes: undefined }],
    ['geolocation', { permission: 'geolocation', mediaTypes: undefined }],
    ['clipboard reading', { permission: 'clipboard-read', mediaTypes: undefined }],
    ['screen capture', { permission: 'display-capture' }],
    ['HID devices', { permission: 'hid', mediaTypes: undefined }],
    ['opening external links', { permission: 'openExternal', mediaTypes: undefined }],
  ])('refuses %s', (_what, change) => {
    expect(decidePermission({ ...camera, ...change })).toBe(false);
  });

  it('refuses fullscreen to anyone else', () => {
    expect(decidePermission({ ...camera, permission: 'fullscreen', origins: ['https://example.com/'] })).toBe(
      false,
    );
  });
});

describe('setupPermissions', () => {
  let ours: MockBrowserWindow;
  let stranger: MockBrowserWindow;

  beforeEach(() => {
    resetElectronMock();
    const own = new OwnWindows();
    ours = new MockBrowserWindow({});
    stranger = new MockBrowserWindow({});
    own.track(ours as unknown as BrowserWindow);
    setupPermissions(session.defaultSession, own);
  });

  function request(webContents: unknown, permission: string, details: object): boolean {
    const handler = electronMock.session.defaultSession.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      ...args: unknown[]
    ) => void;
    const callback = vi.fn();
    handler(webContents, permission, callback, details);
    expect(callback).toHaveBeenCalledTimes(1);
    return callback.mock.calls[0]?.[0] as boolean;
  }

  function check(webContents: unknown, permission: string, origin: string, details: object): boolean {
    const handler = electronMock.session.defaultSession.setPermissionCheckHandler.mock.calls[0]?.[0] as (
      ...args: unknown[]
    ) => boolean;
    return handler(webContents, permission, origin, details);
  }

  it('answers camera requests from our window only, and never the microphone', () => {
    const details = { isMainFrame: true, requestingUrl: OUR_PAGE, securityOrigin: 'app://renderer/' };
    expect(request(ours.webContents, 'media', { ...details, mediaTypes: ['video'] })).toBe(true);
    expect(request(ours.webContents, 'media', { ...details, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request(stranger.webContents, 'media', { ...details, mediaTypes: ['video'] })).toBe(false);
    expect(
      request(ours.webContents, 'media', {
        ...details,
        securityOrigin: 'https://example.com',
        mediaTypes: ['video'],
      }),
    ).toBe(false);
    expect(request(ours.webContents, 'notifications', { isMainFrame: true, requestingUrl: OUR_PAGE })).toBe(
      false,
    );
  });

  it('answers permission checks the same way', () => {
    const details = { isMainFrame: true, requestingUrl: OUR_PAGE, securityOrigin: 'app://renderer' };
    expect(check(ours.webContents, 'media', 'app://renderer', { ...details, mediaType: 'video' })).toBe(true);
    expect(check(ours.webContents, 'media', 'app://renderer', { ...details, mediaType: 'audio' })).toBe(
      false,
    );
    expect(check(null, 'media', 'app://renderer', { ...details, mediaType: 'video' })).toBe(false);
    expect(check(ours.webContents, 'media', 'https://example.com', { ...details, mediaType: 'video' })).toBe(
      false,
    );
    expect(
      check(ours.webContents, 'media', 'app://renderer', { isMainFrame: false, mediaType: 'video' }),
    ).toBe(false);
    expect(check(ours.webContents, 'geolocation', 'app://renderer', details)).toBe(false);
  });

  it('refuses every HID, USB and serial device', () => {
    const handler = electronMock.session.defaultSession.setDevicePermissionHandler.mock.calls[0]?.[0] as (
      details: object,
    ) => boolean;
    expect(handler({ deviceType: 'usb', origin: 'app://renderer', device: {} })).toBe(false);
    expect(handler({ deviceType: 'hid', origin: 'app://renderer', device: {} })).toBe(false);
  });
});
