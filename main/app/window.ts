import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import type { KioskWindowPlan } from '../core/kiosk-window.js';
import { RENDERER_URL } from './app-origin.js';

/**
 * The main window's options, hardened as Electron's security checklist asks: the page gets no Node,
 * runs sandboxed and context-isolated, and reaches the app only through the preload's named API.
 * Several of these are Electron's defaults; they are spelled out so that nobody loosens one by
 * accident.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 480,
    minHeight: 360,
    title: 'Style Mirror',
    // Black behind the picture, and no white flash before the first frame is painted.
    backgroundColor: '#000000',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
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
      // A mirror on a gallery wall keeps painting when another window covers it.
      backgroundThrottling: false,
    },
  };
}

/**
 * The webContents of the windows this app opened: the only senders IPC answers and the only pages
 * that may use the camera. Kept by id, since a destroyed webContents can no longer be asked its id.
 */
export class OwnWindows {
  private readonly ids = new Set<number>();

  /** Starts trusting `window`'s page, until the window closes. */
  track(window: BrowserWindow): void {
    const id = window.webContents.id;
    this.ids.add(id);
    window.once('closed', () => this.ids.delete(id));
  }

  has(webContents: WebContents | null | undefined): boolean {
    return webContents !== null && webContents !== undefined && this.ids.has(webContents.id);
  }

  /** The ids, for the pure checks in ipc.ts and permissions.ts. */
  get webContentsIds(): ReadonlySet<number> {
    return this.ids;
  }
}

/**
 * Opens the mirror's window on `app://renderer/index.html`, trusted in `ownWindows`, and shows it
 * once its first paint is ready (or its load failed: a window that never appears explains nothing).
 */
export function createMainWindow(
  preloadPath: string,
  ownWindows: OwnWindows,
  kiosk: Pick<KioskWindowPlan, 'windowOptions' | 'pageQuery'> = { windowOptions: {}, pageQuery: '' },
  log: (line: string) => void = (line) => console.error(`Style Mirror: ${line}`),
): BrowserWindow {
  // Kiosk mode adds place, size and full screen only (its type has no webPreferences): they stay as above.
  const window = new BrowserWindow({ ...mainWindowOptions(preloadPath), ...kiosk.windowOptions });
  // Tracked before loading, so the page's first IPC call already finds it trusted.
  ownWindows.track(window);
  window.once('ready-to-show', () => window.show());
  window.webContents.once('did-fail-load', () => window.show());
  const url = RENDERER_URL + kiosk.pageQuery;
  void window.loadURL(url).catch((error: unknown) => {
    log(`could not load ${url}: ${String(error)}`);
  });
  return window;
}
