import type { BrowserWindow } from 'electron';
import { PageRecovery, pageProblemUrl } from '../core/page-recovery.js';

/**
 * Brings `window`'s page back when its process dies or it hangs, with the backoff and the cap of
 * {@link PageRecovery}, and shows a plain error page once it gives up. Only wiring lives here.
 */
export function watchPage(window: BrowserWindow, log: (line: string) => void): PageRecovery {
  const contents = window.webContents;
  const recovery = new PageRecovery({
    // The reload's did-finish-load hands the new page a frame port (main.ts).
    reload: () => {
      if (!contents.isDestroyed()) contents.reload();
    },
    // Electron then reports the page gone (reason `killed` or `crashed`), which reloads it.
    endHungPage: () => {
      if (!contents.isDestroyed()) contents.forcefullyCrashRenderer();
    },
    // A data: URL from main: no file, no navigation the page could start or the guards would stop.
    showErrorPage: (problem) => {
      if (contents.isDestroyed()) return;
      contents.loadURL(pageProblemUrl(problem)).catch((error: unknown) => {
        log(`could not show the error page: ${String(error)}`);
      });
    },
    log,
  });
  contents.on('render-process-gone', (_event, details) => recovery.gone(details.reason));
  contents.on('unresponsive', () => recovery.unresponsive());
  contents.on('responsive', () => recovery.responsive());
  window.once('closed', () => recovery.dispose());
  return recovery;
}
