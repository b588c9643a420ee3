import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import path from 'node:path';
import type { FolderPurpose } from '../core/mirror-service.js';
import type { ImportSource } from '../core/model-import.js';

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

/**
 * Asks the person for a style to add: a .zip, or any file in a model folder (its manifest.json, the
 * .onnx network or model.json), which stands for the folder. One file dialog for both, because
 * Windows and Linux cannot show a dialog that picks files and folders alike.
 */
export async function pickImportInDialog(window: BrowserWindow | undefined): Promise<ImportSource | null> {
  const options: OpenDialogOptions = {
    title: 'Add a style: its .zip, or the manifest.json (or .onnx, model.json) in its folder',
    buttonLabel: 'Add style',
    properties: ['openFile', 'dontAddToRecent'],
    filters: [{ name: 'Style (.zip or model file)', extensions: ['zip', 'json', 'onnx'] }],
  };
  const result =
    window === undefined || window.isDestroyed()
      ? await dialog.showOpenDialog(options)
      : await dialog.showOpenDialog(window, options);
  const file = result.canceled ? undefined : result.filePaths[0];
  if (file === undefined) return null;
  return path.extname(file).toLowerCase() === '.zip'
    ? { kind: 'zip', path: file }
    : { kind: 'folder', path: path.dirname(file) };
}
