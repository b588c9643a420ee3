import { electronMock, MockBrowserWindow, resetElectronMock, type MockFrame } from './electron-mock.js';
import { BrowserWindow } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isTrustedSender, senderInfo, setupIpc } from '../../main/app/ipc.js';
import { OwnWindows } from '../../main/app/window.js';
import { CONTROL_CHANNELS, type ControlHandlers, type Result } from '../../common/contract.js';
import { DEFAULT_SETTINGS } from '../../common/settings-schema.js';

const OUR_PAGE = 'app://renderer/index.html';

describe('isTrustedSender', () => {
  const ours = new Set([7]);
  const mainFrame = (url: string) => ({ url, isMainFrame: true });

  it('trusts the main frame of our window on app://renderer', () => {
    expect(isTrustedSender({ webContentsId: 7, frame: mainFrame(OUR_PAGE) }, ours)).toBe(true);
    expect(isTrustedSender({ webContentsId: 7, frame: mainFrame('app://renderer/') }, ours)).toBe(true);
  });

  it.each([
    ['a foreign origin', { webContentsId: 7, frame: mainFrame('https://example.com/') }],
    ['a file:// page', { webContentsId: 7, frame: mainFrame('file:///work/main/dist/renderer/index.html') }],
    ['another host on our scheme', { webContentsId: 7, frame: mainFrame('app://evil/index.html') }],
    ['a look-alike host', { webContentsId: 7, frame: mainFrame('app://renderer.evil/index.html') }],
    ['credentials in the URL', { webContentsId: 7, frame: mainFrame('app://user@renderer/index.html') }],
    ['a subframe of our page', { webContentsId: 7, frame: { url: OUR_PAGE, isMainFrame: false } }],
    ['an unknown webContents', { webContentsId: 8, frame: mainFrame(OUR_PAGE) }],
    ['a frame already gone', { webContentsId: 7, frame: null }],
    ['an empty URL', { webContentsId: 7, frame: mainFrame('') }],
  ])('refuses %s', (_what, sender) => {
    expect(isTrustedSender(sender, ours)).toBe(false);
  });
});

describe('senderInfo', () => {
  it('reads the frame, and treats a disposed one as gone', () => {
    const sender = { id: 3 };
    const main: MockFrame = { url: OUR_PAGE, parent: null };
    const sub: MockFrame = { url: OUR_PAGE, parent: main };
    const info = (senderFrame: unknown) => senderInfo({ sender, senderFrame } as never);
    expect(info(main)).toEqual({ webContentsId: 3, frame: { url: OUR_PAGE, isMainFrame: true } });
    expect(info(sub)).toEqual({ webContentsId: 3, frame: { url: OUR_PAGE, isMainFrame: false } });
    expect(info(null)).toEqual({ webContentsId: 3, frame: null });
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
    expect(info(disposed).frame).toBeNull();
  });
});

describe('setupIpc', () => {
  let handlers: ControlHandlers;
  let ownWindows: OwnWindows;
  let window: MockBrowserWindow;
  let warn: ReturnType<typeof vi.spyOn>;

  /** Calls the function registered for `channel` as ipcMain would, from `frame` of `webContents`. */
  function invoke(
    channel: string,
    payload: unknown,
    from: { webContents: { id: number }; frame: MockFrame | null } = {
      webContents: window.webContents,
      frame: window.webContents.mainFrame,
    },
  ): Promise<Result<unknown>> {
    const handler = electronMock.ipcMain.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for ${channel}`);
    return handler({ sender: from.webContents, senderFrame: from.frame }, payload) as Promise<
      Result<unknown>
    >;
  }

  beforeEach(() => {
    resetElectronMock();
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    handlers = {
      'models:list': vi.fn(async () => []),
      'models:select': vi.fn(),
      'models:style-image': vi.fn(async () => null),
      'models:thumbnail': vi.fn(),
      'settings:get': vi.fn(async () => DEFAULT_SETTINGS),
      'settings:update': vi.fn(async () => DEFAULT_SETTINGS),
      'snapshot:save': vi.fn(async () => ({ path: '/pictures/snap.png' })),
      'snapshot:open-folder': vi.fn(async () => ({ path: '/pictures' })),
      'engine:status': vi.fn(async () => null),
    } as unknown as ControlHandlers;
    ownWindows = new OwnWindows();
    window = new BrowserWindow({}) as unknown as MockBrowserWindow;
    ownWindows.track(window as unknown as BrowserWindow);
    setupIpc(handlers, ownWindows);
  });

  it("registers exactly the contract's channels", () => {
    expect([...electronMock.ipcMain.handlers.keys()].sort()).toEqual(Object.keys(CONTROL_CHANNELS).sort());
  });

  it('dispatches a valid request from our page to its handler', async () => {
    const result = await invoke('snapshot:save', { png: new Uint8Array([1, 2, 3]) });
    expect(result).toEqual({ ok: true, value: { path: '/pictures/snap.png' } });
    expect(handlers['snapshot:save']).toHaveBeenCalledWith({ png: new Uint8Array([1, 2, 3]) });
  });

  it('answers forbidden to a foreign page, a subframe, an unknown window and a vanished frame', async () => {
    const stranger = new MockBrowserWindow({});
    const senders = [
      { webContents: window.webContents, frame: { url: 'https://example.com/', parent: null } },
      { webContents: window.webContents, frame: { url: OUR_PAGE, parent: window.webContents.mainFrame } },
      { webContents: stranger.webContents, frame: stranger.webContents.mainFrame },
      { webContents: window.webContents, frame: null },
    ];
    for (const from of senders) {
      const result = await invoke('settings:get', {}, from);
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(handlers['settings:get']).not.toHaveBeenCalled();
    // Refusals are logged: they mean a bug or an attack.
    expect(warn).toHaveBeenCalledTimes(senders.length);
  });

  it('stops trusting a window once it has closed', async () => {
    const frame = window.webContents.mainFrame;
    window.close();
    const result = await invoke('settings:get', {}, { webContents: window.webContents, frame });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it.each([
    ['models:select', { id: 42 }],
    ['models:select', {}],
    ['models:list', { extra: true }],
    ['settings:update', { strength: 7 }],
    ['settings:update', { version: 2 }],
    ['snapshot:save', { png: 'not bytes' }],
  ])(
    'answers invalid-request to a malformed %s payload, without calling the handler',
    async (channel, payload) => {
      const result = await invoke(channel, payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(handlers[channel as keyof ControlHandlers]).not.toHaveBeenCalled();
    },
  );

  it('turns a throwing handler into an error result', async () => {
    vi.mocked(handlers['models:list']).mockRejectedValueOnce(
      Object.assign(new Error('No models folder'), { code: 'model-not-found' }),
    );
    expect(await invoke('models:list', {})).toEqual({
      ok: false,
      error: { code: 'model-not-found', message: 'No models folder' },
    });
  });
});
