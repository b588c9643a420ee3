/**
 * The mirror's control logic, once for both adapters: Electron's IPC and browser mode's WebSocket each
 * wire these handlers to `dispatchControl`, which has already validated every request.
 */
import type { EngineCaller } from '../../common/engine-protocol.js';
import type { ControlHandlers, MirrorEngineStatus } from '../../common/contract.js';
import type { ModelLibrary } from './model-library.js';
import type { SettingsStore } from './settings/settings-store.js';
import type { SnapshotFolder } from './snapshots.js';

export interface MirrorServiceDeps {
  /** The engine worker (utilityProcess supervisor, Node worker client, or in-process in tests). */
  readonly engine: EngineCaller;
  readonly library: ModelLibrary;
  readonly settings: SettingsStore;
  readonly snapshots: SnapshotFolder;
  /** Shows a folder in the system's file manager (Electron's `shell.openPath`); absent in browser mode. */
  readonly openFolder?: (dir: string) => Promise<void>;
  /** Told about failures that do not fail the request (remembering the last model); default: ignored. */
  readonly warn?: (message: string) => void;
}

/** Handlers for every channel of the contract, over the given engine, library, settings and snapshots. */
export function createControlHandlers(deps: MirrorServiceDeps): ControlHandlers {
  const { engine, library, settings, snapshots } = deps;
  /** The model the engine runs, as this service made it so; undefined before the first load. */
  let current: MirrorEngineStatus | undefined;

  return {
    'models:list': () => library.list(),

    'models:select': async ({ id }) => {
      const { dir, info } = await library.resolve(id);
      // A failing load rejects here, before anything changes: the engine keeps its model and the
      // settings keep their last model (the engine's error code and message become the Result's).
      const status = await engine.call('loadModel', {
        dir,
        backend: settings.get().backend,
        name: info.name,
      });
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

    'settings:get': async () => settings.get(),

    'settings:update': async (patch) => settings.update(patch),

    'snapshot:save': async ({ png }) => ({ path: await snapshots.save(png, current?.modelId) }),

    'snapshot:open-folder': async () => {
      const dir = await snapshots.ensure();
      await deps.openFolder?.(dir);
      return { path: dir };
    },
  };
}

/** `data` as a Uint8Array over a plain ArrayBuffer, copying only when it is not one already. */
function plainBytes(data: Uint8Array | Uint8ClampedArray): Uint8Array<ArrayBuffer> {
  return data instanceof Uint8Array && data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data);
}
