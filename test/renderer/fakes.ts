/** Test doubles for the renderer's pure modules: a hand-run clock and a scriptable MirrorApi. */
import type { ModelInfo, MirrorEngineStatus, Result } from '../../common/contract.js';
import type { ControlApi } from '../../common/control-api.js';
import { CONTROL_METHODS } from '../../common/control-channels.js';
import type { MirrorApi } from '../../common/mirror-api.js';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';
export { ManualTimers } from '../support/manual-timers.js';

/** Lets every settled promise's callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A promise with its resolve function outside. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The app's own defaults, so the fakes start where a first run does. */
export const SETTINGS: Settings = structuredClone(DEFAULT_SETTINGS);

export function model(folder: string, hasStyleImage = false): ModelInfo {
  return {
    id: `bundled:${folder}`,
    name: folder[0]!.toUpperCase() + folder.slice(1),
    source: 'bundled',
    format: 'ml5',
    hasStyleImage,
    editable: false,
  };
}

export function engineStatus(id: string): MirrorEngineStatus {
  return { model: id, modelId: id, backend: { kind: 'ort', runtime: 'cpu', device: 'CPU' } };
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(message: string, code = 'failed'): Result<T> {
  return { ok: false, error: { code, message } };
}

const unexpected = (name: string) => () => Promise.reject(new Error(`FakeApi.${name} was not expected`));

/** A MirrorApi whose methods the test replaces as needed; the rest reject loudly. */
export function fakeApi(overrides: Partial<MirrorApi> = {}): MirrorApi {
  const controls = Object.fromEntries(Object.values(CONTROL_METHODS).map((name) => [name, unexpected(name)]));
  return {
    transport: 'browser',
    ...(controls as unknown as ControlApi),
    stylize: unexpected('stylize'),
    // No events unless the test pushes some (it overrides onEvent to keep the listener).
    onEvent: () => () => undefined,
    ...overrides,
  };
}
