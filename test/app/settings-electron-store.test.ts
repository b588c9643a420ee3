import { setAppPath } from './electron-mock.js';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ElectronSettingsStore } from '../../main/app/settings-electron-store.js';
import { DEFAULT_SETTINGS } from '../../common/settings-schema.js';

describe('ElectronSettingsStore (a real folder)', () => {
  let userData: string;
  let file: string;

  beforeEach(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-settings-'));
    // electron-store's default folder; the store is also given it explicitly.
    setAppPath('userData', userData);
    file = path.join(userData, 'settings.json');
  });
  afterEach(() => rm(userData, { recursive: true, force: true }));

  const readSettingsFile = async () => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

  it('starts from the defaults without a file, and saves updates to <userData>/settings.json', async () => {
    const store = new ElectronSettingsStore(userData);
    expect(store.file).toBe(file);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);

    const updated = store.update({ strength: 0.5, camera: { deviceId: 'cam-2' } });
    expect(updated).toMatchObject({ strength: 0.5, camera: { deviceId: 'cam-2', width: 640, height: 480 } });
    expect(await readSettingsFile()).toEqual(updated);
    // A new store (the next run) reads what was saved.
    expect(new ElectronSettingsStore(userData).get()).toEqual(updated);
  });

  it('keeps a corrupt file aside, starts from valid settings, and electron-store opens the repaired file', async () => {
    await writeFile(file, '{"version": 1, "strength": 0.3, oops');
    const store = new ElectronSettingsStore(userData);

    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.recovery.setAside).toBeDefined();
    expect(path.dirname(store.recovery.setAside!)).toBe(userData);
    expect(await readFile(store.recovery.setAside!, 'utf8')).toBe('{"version": 1, "strength": 0.3, oops');
    expect(await readSettingsFile()).toEqual(DEFAULT_SETTINGS);

    store.update({ mirror: false });
    expect(await readSettingsFile()).toMatchObject({ mirror: false });
    expect((await readdir(userData)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('repairs a file with a bad value, keeping the original aside', async () => {
    await writeFile(file, JSON.stringify({ ...DEFAULT_SETTINGS, strength: 42 }));
    const store = new ElectronSettingsStore(userData);
    expect(store.get().strength).toBe(DEFAULT_SETTINGS.strength);
    expect(store.recovery.setAside).toBeDefined();
    expect(store.recovery.repaired.join('\n')).toMatch(/strength/);
  });

  it('refuses an invalid update with a clear error, and changes nothing', async () => {
    const store = new ElectronSettingsStore(userData);
    store.update({ strength: 0.25 });
    const before = await readFile(file, 'utf8');

    expect(() => store.update({ strength: 3 } as never)).toThrow(/Settings not changed: .*strength/s);
    expect(() => store.update({ version: 2 } as never)).toThrow(/Settings not changed/);
    expect(store.get().strength).toBe(0.25);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('hands out copies: editing what get() returned changes nothing', () => {
    const store = new ElectronSettingsStore(userData);
    const settings = store.get();
    settings.camera.width = 16;
    expect(store.get().camera.width).toBe(DEFAULT_SETTINGS.camera.width);
  });
});
