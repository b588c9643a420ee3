import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { dispatchControl, type ControlHandlers, type Result } from '../../common/contract.js';
import { createControlHandlers, type MirrorServiceDeps } from '../../main/core/mirror-service.js';
import { ModelLibrary } from '../../main/core/model-library.js';
import { JsonFileSettingsStore } from '../../main/core/settings/settings-file-store.js';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../common/settings-schema.js';
import type { SettingsStore } from '../../main/core/settings/settings-store.js';
import { SnapshotFolder } from '../../main/core/snapshots.js';
import type { EngineStatus } from '../../main/engine/engine.js';
import { EngineCallError } from '../../common/engine-errors.js';
import type { EngineCaller, EngineCalls, EngineMethod } from '../../common/engine-protocol.js';
import { makeTempDir, writeModelFolder } from '../support/model-fixtures.js';
import { inProcessEngine } from './in-process-engine.js';
import { photoFrame } from '../support/photos.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ML5_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

const ORT: EngineStatus['backend'] = {
  kind: 'ort',
  runtime: 'cpu',
  device: 'CPU',
  precision: 'fp32',
  precisionReason: 'test',
};

/** An engine that answers from a script and records every call. */
function fakeEngine() {
  const calls: { method: EngineMethod; params: unknown }[] = [];
  let model: EngineStatus | null = null;
  /** Folders whose load fails, with the error the worker would send. */
  const failing = new Map<string, EngineCallError>();
  const engine: EngineCaller = {
    call: async <M extends EngineMethod>(method: M, params: EngineCalls[M]['params']) => {
      calls.push({ method, params });
      const p = params as {
        dir?: string;
        name?: string;
        frame?: EngineCalls['thumbnail']['params']['frame'];
      };
      if (method === 'loadModel') {
        const error = failing.get(p.dir!);
        if (error !== undefined) throw error;
        model = { model: p.name!, backend: ORT };
        return model as EngineCalls[M]['result'];
      }
      if (method === 'status') return model as EngineCalls[M]['result'];
      if (method === 'thumbnail') {
        const frame = p.frame!;
        return { ...frame, data: frame.data.map((v) => 255 - v) } as EngineCalls[M]['result'];
      }
      throw new Error(`fake engine: unexpected ${method}`);
    },
  };
  return {
    engine,
    calls,
    failing,
    /** As after a worker restart: the engine holds no model. */
    forget: () => {
      model = null;
    },
  };
}

interface Mirror {
  call: (channel: string, payload?: unknown) => Promise<Result<unknown>>;
  handlers: ControlHandlers;
  bundled: string;
  user: string;
  settings: JsonFileSettingsStore;
  settingsFile: string;
  snapshotsDir: string;
}

/** The service over a fake or real engine, a real library, settings file and snapshot folder in a temp dir. */
async function mirror(
  engine: EngineCaller,
  extra: Partial<MirrorServiceDeps> = {},
  options: { bundled?: string } = {},
): Promise<Mirror> {
  const tmp = await makeTempDir();
  const bundled = options.bundled ?? path.join(tmp, 'bundled');
  const user = path.join(tmp, 'my-models');
  const settingsFile = path.join(tmp, 'config', 'settings.json');
  const settings = new JsonFileSettingsStore(settingsFile);
  const snapshotsDir = path.join(tmp, 'Pictures', 'Style Mirror');
  const library = new ModelLibrary({ bundledDir: bundled, userDir: () => settings.get().modelsDir });
  const snapshots = new SnapshotFolder(() => settings.get().snapshotsDir ?? snapshotsDir, {
    defaultDir: snapshotsDir,
  });
  const handlers = createControlHandlers({ engine, library, settings, snapshots, ...extra });
  return {
    call: (channel, payload) => dispatchControl(handlers, channel, payload),
    handlers,
    bundled,
    user,
    settings,
    settingsFile,
    snapshotsDir,
  };
}

/** A folder the library lists; the fake engine never reads it. */
async function modelFolder(root: string, name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), '{}');
  return dir;
}

async function png(): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width: 16, height: 16, channels: 4, background: '#336699' } })
      .png()
      .toBuffer(),
  );
}

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('mirror service (fake engine)', () => {
  it('lists models from the library', async () => {
    const { engine } = fakeEngine();
    const m = await mirror(engine);
    await modelFolder(m.bundled, 'rain_princess');
    expect(await m.call('models:list', {})).toEqual({
      ok: true,
      value: [
        {
          id: 'bundled:rain_princess',
          name: 'Rain Princess',
          source: 'bundled',
          format: 'ml5',
          hasStyleImage: false,
          editable: false,
        },
      ],
    });
  });

  it('selects a model: loads it on the chosen backend and precision, returns its status, remembers it', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    const dir = await modelFolder(m.bundled, 'rain_princess');
    m.settings.update({ backend: 'tfjs', precision: 'int8' });

    expect(await m.call('engine:status', {})).toEqual({ ok: true, value: null });
    const selected = await m.call('models:select', { id: 'bundled:rain_princess' });
    const status = { model: 'Rain Princess', modelId: 'bundled:rain_princess', backend: ORT };
    expect(selected).toEqual({ ok: true, value: status });
    expect(fake.calls.find((c) => c.method === 'loadModel')?.params).toEqual({
      dir,
      backend: 'tfjs',
      precision: 'int8',
      name: 'Rain Princess',
    });
    expect(await m.call('engine:status', {})).toEqual({ ok: true, value: status });
    expect(m.settings.get().lastModelId).toBe('bundled:rain_princess');
    expect(JSON.parse(await readFile(m.settingsFile, 'utf8')).lastModelId).toBe('bundled:rain_princess');
  });

  it('keeps the current model and the remembered one when a load fails, passing the engine error on', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    await modelFolder(m.bundled, 'wave');
    const broken = await modelFolder(m.bundled, 'broken');
    fake.failing.set(
      broken,
      new EngineCallError({
        kind: 'ModelError',
        code: 'shape-mismatch',
        message: 'Style model "Broken", file "Variable_3": has the wrong shape.',
      }),
    );
    value(await m.call('models:select', { id: 'bundled:wave' }));
    const before = m.settings.get();

    expect(await m.call('models:select', { id: 'bundled:broken' })).toEqual({
      ok: false,
      error: {
        code: 'shape-mismatch',
        message: 'Style model "Broken", file "Variable_3": has the wrong shape.',
      },
    });
    expect(value<{ modelId: string }>(await m.call('engine:status', {})).modelId).toBe('bundled:wave');
    expect(m.settings.get()).toEqual(before);
  });

  it('refuses traversal and unknown ids without asking the engine', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    m.settings.update({ modelsDir: m.user });
    // A real model where `user:../bundled/x` would lead.
    await modelFolder(m.bundled, 'x');
    for (const id of ['user:../bundled/x', 'user:..', 'bundled:/etc', 'user:a\u0000b']) {
      expect(await m.call('models:select', { id }), id).toMatchObject({
        ok: false,
        error: { code: 'invalid-model-id' },
      });
      expect(await m.call('models:thumbnail', { id, frame: smallFrame() }), id).toMatchObject({
        ok: false,
        error: { code: 'invalid-model-id' },
      });
      expect(await m.call('models:style-image', { id }), id).toMatchObject({
        ok: false,
        error: { code: 'invalid-model-id' },
      });
    }
    expect(await m.call('models:select', { id: 'user:missing' })).toMatchObject({
      ok: false,
      error: { code: 'model-not-found' },
    });
    expect(await m.call('models:select', { id: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(fake.calls).toEqual([]);
  });

  it('reports no model after the engine lost it (a restarted worker)', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    await modelFolder(m.bundled, 'wave');
    value(await m.call('models:select', { id: 'bundled:wave' }));
    fake.forget();
    expect(await m.call('engine:status', {})).toEqual({ ok: true, value: null });
  });

  it('still selects when remembering the last model fails, and warns', async () => {
    const fake = fakeEngine();
    const warn = vi.fn();
    const stuck: SettingsStore = {
      warnings: [],
      get: () => DEFAULT_SETTINGS,
      update: () => {
        throw new Error('disk full');
      },
    };
    const tmp = await makeTempDir();
    await modelFolder(tmp, 'wave');
    const handlers = createControlHandlers({
      engine: fake.engine,
      library: new ModelLibrary({ bundledDir: tmp, userDir: () => null }),
      settings: stuck,
      snapshots: new SnapshotFolder(() => tmp),
      warn,
    });
    const selected = await dispatchControl(handlers, 'models:select', { id: 'bundled:wave' });
    expect(selected).toMatchObject({ ok: true, value: { modelId: 'bundled:wave' } });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/bundled:wave.*disk full/));
  });

  it('updates settings through the store, and the library follows a models folder chosen at once', async () => {
    const fake = fakeEngine();
    const chooseFolder = vi.fn(async () => m.user);
    const m = await mirror(fake.engine, { chooseFolder });
    const mine = await modelFolder(m.user, 'my_style');
    expect(value<unknown[]>(await m.call('models:list', {}))).toEqual([]);

    const updated = await m.call('settings:update', { camera: { deviceId: 'cam-2' } });
    const expected: Settings = {
      ...DEFAULT_SETTINGS,
      camera: { ...DEFAULT_SETTINGS.camera, deviceId: 'cam-2' },
    };
    expect(updated).toEqual({ ok: true, value: expected });
    expect(await m.call('folders:choose-models', {})).toEqual({
      ok: true,
      value: { ...expected, modelsDir: m.user },
    });
    expect(chooseFolder).toHaveBeenCalledWith('models', null);
    expect(await m.call('settings:get', {})).toEqual({ ok: true, value: { ...expected, modelsDir: m.user } });
    expect(value<{ id: string }[]>(await m.call('models:list', {})).map((i) => i.id)).toEqual([
      'user:my_style',
    ]);
    value(await m.call('models:select', { id: 'user:my_style' }));
    expect(fake.calls.at(-1)?.params).toMatchObject({ dir: mine });
  });

  it('refuses a bad settings patch, keeping the settings', async () => {
    const m = await mirror(fakeEngine().engine);
    for (const patch of [
      { strength: 3 },
      { version: 9 },
      { hologram: true },
      { camera: { width: 'big' } },
      // Folders come from the person's dialog, never from the page.
      { modelsDir: '/home/ada/.ssh' },
      { snapshotsDir: '/Applications/Calculator.app' },
    ]) {
      expect(await m.call('settings:update', patch), JSON.stringify(patch)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    // Past the contract's validation, the store validates again.
    await expect(m.handlers['settings:update']({ strength: 3 } as SettingsPatch)).rejects.toMatchObject({
      code: 'invalid-settings',
    });
    expect(m.settings.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('saves snapshots labelled with the current model, and refuses bytes that are not a PNG', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    await modelFolder(m.bundled, 'wave');
    const first = value<{ path: string }>(await m.call('snapshot:save', { png: await png() })).path;
    expect(path.basename(first)).toMatch(/^style-mirror-\d{8}-\d{6}\.png$/);
    expect(path.dirname(first)).toBe(m.snapshotsDir);

    value(await m.call('models:select', { id: 'bundled:wave' }));
    const second = value<{ path: string }>(await m.call('snapshot:save', { png: await png() })).path;
    expect(path.basename(second)).toMatch(/^style-mirror-bundled-wave-\d{8}-\d{6}\.png$/);
    expect(new Uint8Array(await readFile(second))).toEqual(await png());

    expect(await m.call('snapshot:save', { png: new TextEncoder().encode('<svg/>') })).toMatchObject({
      ok: false,
      error: { code: 'not-png' },
    });
    expect((await readdir(m.snapshotsDir)).length).toBe(2);
  });

  it('saves snapshots in the folder chosen, never making a missing one (or the folders above it)', async () => {
    const m = await mirror(fakeEngine().engine);
    const tmp = path.dirname(path.dirname(m.snapshotsDir));
    const chosen = path.join(tmp, 'gone', 'deeper', 'shots');
    m.settings.update({ snapshotsDir: chosen });
    expect(await m.call('snapshot:save', { png: await png() })).toMatchObject({
      ok: false,
      error: {
        code: 'snapshots-folder-unavailable',
        message: expect.stringContaining(`${chosen} is not there`),
      },
    });
    expect(existsSync(path.join(tmp, 'gone'))).toBe(false);

    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'x');
    m.settings.update({ snapshotsDir: file });
    expect(await m.call('snapshot:save', { png: await png() })).toMatchObject({
      ok: false,
      error: { code: 'snapshots-folder-unavailable', message: expect.stringContaining('is not a folder') },
    });

    const mine = path.join(tmp, 'mine');
    await mkdir(mine);
    m.settings.update({ snapshotsDir: mine });
    const saved = value<{ path: string }>(await m.call('snapshot:save', { png: await png() })).path;
    expect(path.dirname(saved)).toBe(mine);
  });

  it('opens the default snapshots folder, creating it, and always returns its path', async () => {
    const openFolder = vi.fn(async () => undefined);
    const withShell = await mirror(fakeEngine().engine, { openFolder });
    expect(await withShell.call('snapshot:open-folder', {})).toEqual({
      ok: true,
      value: { path: withShell.snapshotsDir },
    });
    expect(openFolder).toHaveBeenCalledWith(withShell.snapshotsDir);
    expect(await readdir(withShell.snapshotsDir)).toEqual([]);

    const browser = await mirror(fakeEngine().engine);
    expect(await browser.call('snapshot:open-folder', {})).toEqual({
      ok: true,
      value: { path: browser.snapshotsDir },
    });
  });

  it('opens only the folder the person chose, and never a path from the page', async () => {
    const openFolder = vi.fn(async () => undefined);
    const m = await mirror(fakeEngine().engine, { openFolder });
    const tmp = path.dirname(path.dirname(m.snapshotsDir));
    const mine = path.join(tmp, 'my shots');
    await mkdir(mine);
    m.settings.update({ snapshotsDir: mine });

    // The request carries no path: one from the page is refused before anything runs.
    for (const payload of [{ path: '/etc' }, { dir: '/tmp' }]) {
      expect(await m.call('snapshot:open-folder', payload)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(openFolder).not.toHaveBeenCalled();
    expect(value<{ path: string }>(await m.call('snapshot:open-folder', {})).path).toBe(mine);
    expect(openFolder.mock.calls).toEqual([[mine]]);
  });

  it('never opens a file, a missing folder or an application in the file manager', async () => {
    const openFolder = vi.fn(async () => undefined);
    const m = await mirror(fakeEngine().engine, { openFolder });
    const tmp = path.dirname(path.dirname(m.snapshotsDir));
    const script = path.join(tmp, 'run-me.sh');
    await writeFile(script, '#!/bin/sh\necho owned\n');
    const app = path.join(tmp, 'Calculator.app');
    await mkdir(path.join(app, 'Contents'), { recursive: true });
    for (const [dir, code] of [
      [script, 'snapshots-folder-unavailable'],
      [path.join(tmp, 'missing', 'chain'), 'snapshots-folder-unavailable'],
      [app, 'folder-unavailable'],
    ] as const) {
      m.settings.update({ snapshotsDir: dir });
      expect(await m.call('snapshot:open-folder', {}), dir).toMatchObject({ ok: false, error: { code } });
    }
    expect(openFolder).not.toHaveBeenCalled();
    expect(existsSync(path.join(tmp, 'missing'))).toBe(false);
  });

  it('remembers the folder the person chose in the dialog, and nothing when they cancel', async () => {
    const m0 = await mirror(fakeEngine().engine);
    const tmp = path.dirname(path.dirname(m0.snapshotsDir));
    const shots = path.join(tmp, 'chosen shots');
    await mkdir(shots);
    const answers: (string | null)[] = [null, shots, path.join(tmp, 'no-such-folder')];
    const chooseFolder = vi.fn(async () => answers.shift()!);
    const m = await mirror(fakeEngine().engine, { chooseFolder });

    expect(await m.call('folders:choose-snapshots', {})).toEqual({ ok: true, value: null });
    expect(m.settings.get().snapshotsDir).toBeNull();
    expect(value<Settings>(await m.call('folders:choose-snapshots', {})).snapshotsDir).toBe(shots);
    expect(await m.call('folders:choose-snapshots', {})).toMatchObject({
      ok: false,
      error: {
        code: 'folder-unavailable',
        message: expect.stringContaining('no-such-folder is not a folder'),
      },
    });
    expect(m.settings.get().snapshotsDir).toBe(shots);
    // Each dialog starts where the folder is now.
    expect(chooseFolder.mock.calls).toEqual([
      ['snapshots', null],
      ['snapshots', null],
      ['snapshots', shots],
    ]);
  });

  it('opens one folder dialog at a time, however often the page asks', async () => {
    let answer!: (dir: string | null) => void;
    const chooseFolder = vi.fn(() => new Promise<string | null>((resolve) => (answer = resolve)));
    const m = await mirror(fakeEngine().engine, { chooseFolder });
    const first = m.call('folders:choose-models', {});
    expect(await m.call('folders:choose-snapshots', {})).toMatchObject({
      ok: false,
      error: { code: 'folder-choice-unavailable', message: 'A folder dialog is already open.' },
    });
    answer(null);
    expect(await first).toEqual({ ok: true, value: null });
    expect(chooseFolder).toHaveBeenCalledTimes(1);
  });

  it('in browser mode, refuses to choose a folder and says who chooses it', async () => {
    const m = await mirror(fakeEngine().engine);
    expect(await m.call('folders:choose-models', {})).toEqual({
      ok: false,
      error: {
        code: 'folder-choice-unavailable',
        message:
          'In browser mode the models folder is chosen by whoever started `stylemirror serve` (--models DIR), not from the page.',
      },
    });
    expect(await m.call('folders:choose-snapshots', {})).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('(--snapshots DIR)') },
    });
  });

  it('tells the page what went wrong with the settings file at start', async () => {
    const m = await mirror(fakeEngine().engine);
    expect(await m.call('settings:warnings', {})).toEqual({ ok: true, value: [] });
    await mkdir(path.dirname(m.settingsFile), { recursive: true });
    await writeFile(m.settingsFile, '{ "strength": ');
    const { handlers } = await mirror(fakeEngine().engine, {
      settings: new JsonFileSettingsStore(m.settingsFile),
    });
    const warnings = value<string[]>(await dispatchControl(handlers, 'settings:warnings', {}));
    expect(warnings).toEqual([
      expect.stringMatching(/could not be used and were reset/),
      expect.stringMatching(/kept as .*settings\.corrupt-/),
    ]);
  });

  it('makes thumbnails on the engine with the model folder, as RGBA', async () => {
    const fake = fakeEngine();
    const m = await mirror(fake.engine);
    const dir = await modelFolder(m.bundled, 'wave');
    const frame = smallFrame();
    const result = value<{ data: Uint8Array; width: number; channels: number }>(
      await m.call('models:thumbnail', { id: 'bundled:wave', frame }),
    );
    expect(fake.calls).toEqual([{ method: 'thumbnail', params: { dir, frame, name: 'Wave' } }]);
    expect(result).toEqual({ data: frame.data.map((v) => 255 - v), width: 16, height: 16, channels: 4 });
    expect(
      await m.call('models:thumbnail', { id: 'bundled:wave', frame: { ...frame, width: 1024 } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('serves style images from the library', async () => {
    const m = await mirror(fakeEngine().engine);
    const dir = await modelFolder(m.bundled, 'wave');
    const bytes = await png();
    await writeFile(path.join(dir, 'style.png'), bytes);
    expect(await m.call('models:style-image', { id: 'bundled:wave' })).toEqual({
      ok: true,
      value: { bytes, mimeType: 'image/png' },
    });
  });
});

function smallFrame() {
  const data = new Uint8Array(16 * 16 * 4).map((_, i) => (i * 7) % 256);
  return { data, width: 16, height: 16, channels: 4 as const };
}

describe('mirror service (real engine, in process)', () => {
  it('selects real models, refuses a broken one keeping the current, and makes a thumbnail of another', async () => {
    const caller = inProcessEngine();
    const m = await mirror(caller, {}, { bundled: ML5_MODELS });
    // 'auto' would time both backends and write a cache file, and calibrate int8: pin both.
    m.settings.update({ backend: 'ort', precision: 'fp32', modelsDir: m.user });
    await writeModelFolder(path.join(m.user, 'broken'), {
      manifest: (manifest) => {
        manifest.Variable_3!.shape = [1, 2, 3];
      },
    });

    const selected = value<{ model: string; modelId: string; backend: { kind: string } }>(
      await m.call('models:select', { id: 'bundled:udnie' }),
    );
    expect(selected).toMatchObject({ model: 'Udnie', modelId: 'bundled:udnie', backend: { kind: 'ort' } });

    const frame = await photoFrame(32, 32, 4);
    const live = await caller.call('stylize', { frame });

    const failed = await m.call('models:select', { id: 'user:broken' });
    expect(failed).toMatchObject({
      ok: false,
      error: { code: 'shape-mismatch', message: expect.stringContaining('"Broken"') },
    });
    expect(value<{ modelId: string }>(await m.call('engine:status', {})).modelId).toBe('bundled:udnie');
    expect(m.settings.get().lastModelId).toBe('bundled:udnie');

    const thumb = value<{ data: Uint8Array; channels: number }>(
      await m.call('models:thumbnail', { id: 'bundled:wave', frame }),
    );
    expect(thumb.channels).toBe(4);
    expect(thumb.data.length).toBe(32 * 32 * 4);
    // Wave, not udnie: a different picture from the live one.
    let diff = 0;
    for (let i = 0; i < live.frame.data.length; i++) diff += Math.abs(live.frame.data[i]! - thumb.data[i]!);
    expect(diff / live.frame.data.length).toBeGreaterThan(5);

    // The live model is untouched by the failed load and the thumbnail.
    expect((await caller.call('stylize', { frame })).frame.data).toEqual(live.frame.data);
    expect(await m.call('engine:status', {})).toEqual({ ok: true, value: selected });
    await caller.engine.dispose();
  });

  it('runs the precision setting: int8 when it says int8, float32 again when it says fp32', async () => {
    const caller = inProcessEngine();
    const m = await mirror(caller, {}, { bundled: ML5_MODELS });
    type Selected = { backend: { precision?: string; precisionReason?: string } };
    const select = async () =>
      value<Selected>(await m.call('models:select', { id: 'bundled:udnie' })).backend;
    try {
      value(await m.call('settings:update', { backend: 'ort', precision: 'int8' }));
      expect(await select()).toMatchObject({
        precision: 'int8',
        precisionReason: expect.stringMatching(/^int8 as asked; int8 is \d+\.\d dB PSNR/),
      });
      value(await m.call('settings:update', { precision: 'fp32' }));
      expect(await select()).toMatchObject({ precision: 'fp32', precisionReason: 'float32 as asked' });
    } finally {
      await caller.engine.dispose();
    }
  });
});
