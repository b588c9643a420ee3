import { MockBrowserWindow, resetElectronMock } from './electron-mock.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMainWindow, mainWindowOptions, OwnWindows } from '../../main/app/window.js';

describe('mainWindowOptions', () => {
  it('hardens the page exactly so: isolated, sandboxed, no Node, web security on, no webview, nothing more', () => {
    const options = mainWindowOptions('/app/dist/preload/preload.cjs');
    // Exact: a preference added here (experimentalFeatures, enableBlinkFeatures…) fails until reviewed.
    expect(options.webPreferences).toStrictEqual({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      backgroundThrottling: false,
    });
  });

  it('opens black and hidden, at a usable size, to show once painted', () => {
    const options = mainWindowOptions('/p.cjs');
    expect(options.backgroundColor).toBe('#000000');
    expect(options.show).toBe(false);
    expect(options.width).toBeGreaterThanOrEqual(800);
    expect(options.height).toBeGreaterThanOrEqual(600);
  });
});

describe('createMainWindow', () => {
  beforeEach(() => resetElectronMock());

  it('loads app://renderer/index.html with the hardened options and trusts only that window', () => {
    const own = new OwnWindows();
    const window = createMainWindow('/p.cjs', own) as unknown as MockBrowserWindow;
    expect(window.options).toEqual(mainWindowOptions('/p.cjs'));
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html');
    expect(own.has(window.webContents as never)).toBe(true);
    expect(own.has(new MockBrowserWindow({}).webContents as never)).toBe(false);
    expect(own.has(null)).toBe(false);
  });

  it('shows the window when it is ready, or when loading failed', () => {
    const ready = createMainWindow('/p.cjs', new OwnWindows()) as unknown as MockBrowserWindow;
    expect(ready.show).not.toHaveBeenCalled();
    ready.emit('ready-to-show');
    expect(ready.show).toHaveBeenCalledTimes(1);

    const failed = createMainWindow('/p.cjs', new OwnWindows()) as unknown as MockBrowserWindow;
    failed.webContents.emit('did-fail-load');
    expect(failed.show).toHaveBeenCalledTimes(1);
  });

  it('forgets a window once it is closed', () => {
    const own = new OwnWindows();
    const window = createMainWindow('/p.cjs', own) as unknown as MockBrowserWindow;
    window.close();
    expect(own.has(window.webContents as never)).toBe(false);
    expect(own.webContentsIds.size).toBe(0);
  });
});
