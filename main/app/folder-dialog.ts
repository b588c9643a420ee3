import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { FolderPurpose } from '../core/mirror-service.js';

/**
 * Asks the person for a folder in the system's dialog, over `window` when there is one; resolves to
 * the folder chosen, or null when they cancelled. The only way a folder gets into the settings.
 */
export async function chooseFolderInDialog(
  window: BrowserWindow | undefined,
  purpose: FolderPurpose,
  current: string | null,
): Promise<string | null> {
  const options: OpenDialogOptions = {
    title: purpose === 'models' ? 'Choose the folder of your styles' : 'Choose where snapshots are saved',
    buttonLabel: 'Choose',
    properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
    ...(current === null ? {} : { defaultPath: current }),
  };
  const result =
    window === undefined || window.isDestroyed()
      ? await dialog.showOpenDialog(options)
      : await dialog.showOpenDialog(window, options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
