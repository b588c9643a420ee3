/**
 * The mirror's control logic, once for both adapters: Electron's IPC and browser mode's WebSocket each
 * wire these handlers to `dispatchControl`, which has already validated every request.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { EngineCaller } from '../../common/engine-protocol.js';
import type { ControlHandlers, DisplayInfo, MirrorEngineStatus, PageReport } from '../../common/contract.js';
import type { Settings } from '../../common/settings-schema.js';
import type { ModelLibrary } from './model-library.js';
import type { SettingsStore } from './settings/settings-store.js';
import type { SnapshotFolder } from './snapshots.js';
import { importModel, validateWithEngine, type ImportSource } from './model-import.js';
import type { PackDownloads } from './pack-downloads.js';

export interface MirrorServiceDeps {
  /** The engine worker (utilityProcess supervisor, Node worker client, or in-process in tests). */
  readonly engine: EngineCaller;
  readonly library: ModelLibrary;
  readonly settings: SettingsStore;
  readonly snapshots: SnapshotFolder;
  /** Shows a folder in the system's file manager (Electron's `shell.openPath`); absent in browser mode. */
  readonly openFolder?: (dir: string) => Promise<void>;
  /**
   * Asks the person for a folder in a native dialog (Electron's `dialog.showOpenDialog`), starting at
   * `current`; resolves to the folder chosen, or null when they cancelled. Absent in browser mode,
   * where the folders are whatever `serve` was started with.
   */
  readonly chooseFolder?: (purpose: FolderPurpose, current: string | null) => Promise<string | null>;
  /** Told about failures that do not fail the request (remembering the last model); default: ignored. */
  readonly warn?: (message: string) => void;
  /**
   * Whether the page may import, rename and delete styles and download packs. Default true (the app:
   * the person at the window); browser mode only with `serve --allow-imports`.
   */
  readonly libraryChanges?: boolean;
  /** Asks the person for a model folder or .zip in a native dialog; null: cancelled. Electron only. */
  readonly pickImport?: () => Promise<ImportSource | null>;
  /** The displays connected now (Electron's `screen`); absent in browser mode: none to choose. */
  readonly displays?: () => readonly DisplayInfo[];
  /** "Get more styles"; absent: no packs offered. */
  readonly packs?: PackDownloads;
  /** Keeps the page's latest report for the remote control's status document; default: dropped. */
  readonly reportPage?: (report: PageReport) => void;
}

/** Which folder a dialog asks for. */
export type FolderPurpose = 'models' | 'snapshots';

/** A control request the service refuses; `code` travels to the page with the message. */
export class ControlError extends Error {
  override readonly name = 'ControlError';

  constructor(
    readonly code: 'folder-choice-unavailable' | 'folder-unavailable' | 'library-read-only',
    message: string,
  ) {
    super(message);
  }
}

/** Handlers for every channel of the contract, over the given engine, library, settings and snapshots. */
export function createControlHandlers(deps: MirrorServiceDeps): ControlHandlers {
  const { engine, library, settings, snapshots } = deps;
  /** The model the engine runs, as this service made it so; undefined before the first load. */
  let current: MirrorEngineStatus | undefined;

  /** Whether a folder dialog is open: one at a time, however often the page asks. */
  let choosing = false;

  /** Asks the person for a folder and remembers it; null when they cancelled. */
  async function chooseFolder(purpose: FolderPurpose): Promise<Settings | null> {
    const field = purpose === 'models' ? 'modelsDir' : 'snapshotsDir';
    if (deps.chooseFolder === undefined) {
      throw new ControlError(
        'folder-choice-unavailable',
        `In browser mode the ${purpose} folder is chosen by whoever started \`stylemirror serve\` ` +
          `(--${purpose} DIR), not from the page.`,
      );
    }
    if (choosing) throw new ControlError('folder-choice-unavailable', 'A folder dialog is already open.');
    choosing = true;
    let chosen: string | null;
    try {
      chosen = await deps.chooseFolder(purpose, settings.get()[field]);
    } finally {
      choosing = false;
    }
    if (chosen === null) return null;
    const dir = path.resolve(chosen);
    if (!(await isFolder(dir))) {
      throw new ControlError(
        'folder-unavailable',
        `${dir} is not a folder; choose a folder for your ${purpose}.`,
      );
    }
    return settings.update({ [field]: dir });
  }

  /** The library folder, when the page may change it; refuses otherwise, saying how to allow it. */
  function changeableLibrary(): string {
    if (deps.libraryChanges === false) {
      throw new ControlError(
        'library-read-only',
        'In browser mode the style library is changed only when `stylemirror serve` was started with --allow-imports.',
      );
    }
    if (library.libraryDir === undefined) {
      throw new ControlError('library-read-only', 'There is no style library to add styles to here.');
    }
    return library.libraryDir;
  }

  async function importFrom(source: ImportSource, name?: string) {
    const imported = await importModel({
      libraryDir: changeableLibrary(),
      source,
      validate: validateWithEngine,
      ...(name === undefined || name.trim() === '' ? {} : { name }),
    });
    return (await library.resolve(imported.id)).info;
  }

  function packs(): PackDownloads {
    changeableLibrary();
    if (deps.packs === undefined)
      throw new ControlError('library-read-only', 'No style packs are offered here.');
    return deps.packs;
  }

  return {
    'models:list': () => library.list(),

    'models:import': ({ files, name }) => importFrom({ kind: 'files', files }, name),

    'models:import-dialog': async () => {
      changeableLibrary();
      if (deps.pickImport === undefined) {
        throw new ControlError(
          'folder-choice-unavailable',
          'In browser mode, add a style by dropping its folder or .zip on the page.',
        );
      }
      const source = await deps.pickImport();
      return source === null ? null : importFrom(source);
    },

    'models:rename': async ({ id, name }) => {
      changeableLibrary();
      return library.rename(id, name);
    },

    'models:remove': async ({ id }) => {
      changeableLibrary();
      await library.remove(id);
      return {};
    },

    'packs:list': async () => (deps.packs === undefined ? [] : deps.packs.list()),

    'packs:download': async ({ id }) => packs().start(id),

    'packs:status': async () => packs().current(),

    'packs:cancel': async () => packs().cancel(),

    'models:select': async ({ id }) => {
      const { dir, info } = await library.resolve(id);
      // A failing load rejects here, before anything changes: the engine keeps its model and the
      // settings keep their last model (the engine's error code and message become the Result's).
      const { backend, precision } = settings.get();
      const status = await engine.call('loadModel', { dir, backend, precision, name: info.name });
      current = { ...status, modelId: info.id };
      try {
        if (settings.get().lastModelId !== info.id) settings.update({ lastModelId: info.id });
      } catch (error) {
        // The model is running; failing the request now would make the UI disagree with the engine.
        deps.warn?.(`Could not remember ${info.id} as the last model: ${(error as Error).message}`);
      }
      return current;
    },

    'models:style-image': ({ id }) => library.styleImage(id),

    'models:thumbnail': async ({ id, frame }) => {
      const { dir, info } = await library.resolve(id);
      // No transfer: the request's pixels may share a buffer with the rest of the message they came in.
      const result = await engine.call('thumbnail', { dir, frame, name: info.name });
      if (result.channels !== 4)
        throw new Error(`The engine returned a ${result.channels}-channel thumbnail.`);
      return { data: plainBytes(result.data), width: result.width, height: result.height, channels: 4 };
    },

    'engine:status': async () => {
      // Ask the engine rather than trust memory: a restarted engine worker holds no model, or
      // another one than this service last loaded.
      const status = await engine.call('status', {});
      if (status === null || current === undefined || status.model !== current.model) return null;
      return { ...status, modelId: current.modelId };
    },

    'mirror:report': async (report) => {
      deps.reportPage?.(report);
      return {};
    },

    'settings:get': async () => settings.get(),

    'settings:update': async (patch) => settings.update(patch),

    'settings:warnings': async () => [...settings.warnings],

    'displays:list': async () => [...(deps.displays?.() ?? [])],

    'folders:choose-models': () => chooseFolder('models'),

    'folders:choose-snapshots': () => chooseFolder('snapshots'),

    'snapshot:save': async ({ png }) => ({ path: await snapshots.save(png, current?.modelId) }),

    'recording:save': async ({ webm }) => ({ path: await snapshots.saveRecording(webm, current?.modelId) }),

    'snapshot:open-folder': async () => {
      // Only ever the folder the person chose or the default one, checked to be a folder: opening
      // a file (or a macOS .app bundle, which is a folder) would run it rather than show it.
      const dir = await snapshots.ensure();
      if (path.extname(dir).toLowerCase() === '.app') {
        throw new ControlError('folder-unavailable', `${dir} is an application, not a snapshots folder.`);
      }
      await deps.openFolder?.(dir);
      return { path: dir };
    },
  };
}

async function isFolder(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** `data` as a Uint8Array over a plain ArrayBuffer, copying only when it is not one already. */
function plainBytes(data: Uint8Array | Uint8ClampedArray): Uint8Array<ArrayBuffer> {
  return data instanceof Uint8Array && data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data);
}
