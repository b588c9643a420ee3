/** Test doubles for the renderer's pure modules: a hand-run clock and a scriptable MirrorApi. */
import type { ModelInfo, MirrorEngineStatus, Result } from '../../common/contract.js';
import type { ControlApi } from '../../common/control-api.js';
import { CONTROL_METHODS } from '../../common/control-channels.js';
import type { MirrorApi } from '../../common/mirror-api.js';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';
import type { Timers } from '../../renderer/src/lib/timers.js';

/** Timers that fire only when the test advances time. */
export class ManualTimers implements Timers {
  now = 0;
  private nextHandle = 1;
  private readonly due = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.due.set(handle, { at: this.now + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  get pending(): number {
    return this.due.size;
  }

  /** Moves time forward, firing every timer due by then in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.due.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].callback();
    }
    this.now = until;
  }
}

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
    hasStyleImage,
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
    ...overrides,
  };
}
