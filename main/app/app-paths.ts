import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the app's built pieces lie, relative to this file once compiled (dist/main/app/*.js). Inside a
 * packaged app they are in app.asar, which Electron's fs reads transparently.
 */
function fromHere(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

/** The built renderer (`npm run build:renderer`), served as `app://renderer/`. */
export const RENDERER_DIR = fromHere('../../renderer/');

/** The preload bundle (`npm run build:preload`): CommonJS, because sandboxed preloads cannot be ESM. */
export const PRELOAD_PATH = fromHere('../../preload/preload.cjs');

/** The engine's message loop, run in a utilityProcess. */
export const ENGINE_WORKER_PATH = fromHere('../engine/worker/engine-worker.js');

/**
 * The models shipped with the app: the repository's `models/` folder in development, and
 * `resources/models` when packaged, where electron-builder's `extraResources` puts them as plain files
 * outside app.asar, for the engine process to read like any other model folder.
 */
export function bundledModelsDir(app: { isPackaged: boolean; getAppPath(): string }): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'models') : path.join(app.getAppPath(), 'models');
}

/** The default snapshots folder: "Style Mirror" in the platform's Pictures folder. */
export function defaultSnapshotsDir(picturesDir: string): string {
  return path.join(picturesDir, 'Style Mirror');
}

/** The app's settings file, in Electron's user-data folder. */
export function settingsFile(userDataDir: string): string {
  return path.join(userDataDir, 'settings.json');
}
