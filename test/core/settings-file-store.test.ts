import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JsonFileSettingsStore,
  MAX_SETTINGS_FILE_BYTES,
  recoverSettingsFile,
  type SettingsFs,
} from '../../main/core/settings/settings-file-store.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  type Settings,
  type SettingsPatch,
} from '../../common/settings-schema.js';
import { makeTempDir } from '../support/model-fixtures.js';

const V1: Settings = {
  ...DEFAULT_SETTINGS,
  modelsDir: '/models',
  strength: 0.5,
  camera: { deviceId: 'cam-1', width: 1280, height: 720 },
};

async function settingsFile(content?: string): Promise<{ dir: string; file: string }> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'settings.json');
  if (content !== undefined) await writeFile(file, content);
  return { dir, file };
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

/** The files in `dir` set aside by recovery. */
async function asides(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.includes('.corrupt-'));
}

describe('recoverSettingsFile', () => {
  it('gives the defaults for a missing file and writes nothing', async () => {
    const { dir, file } = await settingsFile();
    expect(recoverSettingsFile(file)).toEqual({
      settings: DEFAULT_SETTINGS,
      fromVersion: null,
      repaired: [],
      warnings: [],
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads a valid current file and leaves it byte for byte', async () => {
    const text = JSON.stringify(V1);
    const { dir, file } = await settingsFile(text);
    expect(recoverSettingsFile(file)).toEqual({
      settings: V1,
      fromVersion: SETTINGS_VERSION,
      repaired: [],
      warnings: [],
    });
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('accepts a byte-order mark', async () => {
    const { file } = await settingsFile(`\uFEFF${JSON.stringify(V1)}`);
    expect(recoverSettingsFile(file).settings).toEqual(V1);
  });

  it('upgrades a clean unversioned file in place, without setting it aside', async () => {
    const { dir, file } = await settingsFile(JSON.stringify({ strength: 0.25, showHud: false }));
    const recovered = recoverSettingsFile(file);
    const expected = { ...DEFAULT_SETTINGS, strength: 0.25, showHud: false };
    expect(recovered).toEqual({ settings: expected, fromVersion: 0, repaired: [], warnings: [] });
    expect(await readJson(file)).toEqual(expected);
    expect(await asides(dir)).toEqual([]);
  });

  it('sets truncated JSON aside, unchanged, and writes the defaults in its place', async () => {
    const truncated = JSON.stringify(V1).slice(0, 40);
    const { dir, file } = await settingsFile(truncated);
    const recovered = recoverSettingsFile(file);

    expect(recovered.settings).toEqual(DEFAULT_SETTINGS);
    expect(recovered.fromVersion).toBeNull();
    expect(recovered.repaired).toEqual([
      expect.stringMatching(/^settings: not valid JSON \(.+\); using the defaults$/),
    ]);
    expect(recovered.setAside).toMatch(/settings\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.json$/);
    expect(path.dirname(recovered.setAside!)).toBe(dir);
    expect(await readFile(recovered.setAside!, 'utf8')).toBe(truncated);
    expect(await readJson(file)).toEqual(DEFAULT_SETTINGS);
    expect(await asides(dir)).toHaveLength(1);
    // Nothing temporary left behind.
    expect((await readdir(dir)).sort()).toEqual([path.basename(recovered.setAside!), 'settings.json'].sort());
  });

  it('sets a file with wrong types aside and writes the repaired settings', async () => {
    const original = JSON.stringify({ ...V1, strength: 'loud', camera: { ...V1.camera, width: 3 } });
    const { dir, file } = await settingsFile(original);
    const recovered = recoverSettingsFile(file);
    const repaired = { ...V1, strength: 1, camera: { ...V1.camera, width: 640 } };

    expect(recovered.settings).toEqual(repaired);
    expect(recovered.fromVersion).toBe(SETTINGS_VERSION);
    expect(recovered.repaired).toEqual([
      expect.stringMatching(/^camera\.width: 3 is not valid/),
      expect.stringMatching(/^strength: "loud" is not valid/),
    ]);
    expect(await readFile(recovered.setAside!, 'utf8')).toBe(original);
    expect(await readJson(file)).toEqual(repaired);
    expect(await asides(dir)).toHaveLength(1);
  });

  it('sets a file from a newer app aside and uses the defaults', async () => {
    const newer = JSON.stringify({ ...V1, version: SETTINGS_VERSION + 1, hologram: true });
    const { file } = await settingsFile(newer);
    const recovered = recoverSettingsFile(file);
    expect(recovered.settings).toEqual(DEFAULT_SETTINGS);
    expect(recovered.fromVersion).toBe(SETTINGS_VERSION + 1);
    expect(recovered.repaired).toEqual([expect.stringMatching(/newer Style Mirror/)]);
    expect(await readFile(recovered.setAside!, 'utf8')).toBe(newer);
    expect(await readJson(file)).toEqual(DEFAULT_SETTINGS);
  });

  it('moves a folder in the settings file’s place aside, keeping what is inside it', async () => {
    const { file } = await settingsFile();
    await mkdir(file);
    await writeFile(path.join(file, 'keep.txt'), 'precious');
    const recovered = recoverSettingsFile(file);
    expect(recovered.settings).toEqual(DEFAULT_SETTINGS);
    expect(recovered.repaired).toEqual([expect.stringMatching(/could not be read \(EISDIR\)/)]);
    expect(await readFile(path.join(recovered.setAside!, 'keep.txt'), 'utf8')).toBe('precious');
    expect(await readJson(file)).toEqual(DEFAULT_SETTINGS);
  });

  it('treats a file over the size limit as damaged', async () => {
    const { file } = await settingsFile(' '.repeat(MAX_SETTINGS_FILE_BYTES + 1));
    const recovered = recoverSettingsFile(file);
    expect(recovered.repaired).toEqual([expect.stringMatching(/larger than 1048576 bytes/)]);
    expect((await readFile(recovered.setAside!)).length).toBe(MAX_SETTINGS_FILE_BYTES + 1);
  });

  it('never overwrites an earlier set-aside file, even in the same millisecond', async () => {
    const { dir, file } = await settingsFile('{ first');
    const now = () => new Date('2025-03-14T09:05:07.123Z');
    const first = recoverSettingsFile(file, { now }).setAside!;
    expect(path.basename(first)).toBe('settings.corrupt-2025-03-14T09-05-07.123Z.json');
    const names = [path.basename(first)];
    for (const text of ['{ second', '{ third']) {
      await writeFile(file, text);
      const aside = recoverSettingsFile(file, { now }).setAside!;
      names.push(path.basename(aside));
      expect(await readFile(aside, 'utf8')).toBe(text);
    }
    expect(names).toEqual([
      'settings.corrupt-2025-03-14T09-05-07.123Z.json',
      'settings.corrupt-2025-03-14T09-05-07.123Z-1.json',
      'settings.corrupt-2025-03-14T09-05-07.123Z-2.json',
    ]);
    expect(await readFile(first, 'utf8')).toBe('{ first');
    expect((await asides(dir)).sort()).toEqual(names.sort());
  });

  it('starts with the defaults and a warning, changing nothing, when a damaged file cannot be replaced', async () => {
    const { dir } = await settingsFile();
    // A read-only folder is hard to make as root; a "folder" that is a file cannot be written either.
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const file = path.join(blocker, 'settings.json');
    const recovered = recoverSettingsFile(file);
    expect(recovered.settings).toEqual(DEFAULT_SETTINGS);
    expect(recovered.setAside).toBeUndefined();
    expect(recovered.warnings).toEqual([
      expect.stringMatching(/could not be used and were reset/),
      expect.stringMatching(new RegExp(`cannot save its settings in ${blocker}.*left as it was`)),
    ]);
    expect(await readFile(blocker, 'utf8')).toBe('x');
    expect(await readdir(dir)).toEqual(['not-a-folder']);
  });
});

describe('JsonFileSettingsStore', () => {
  it('loads through recovery, updates, persists, and reloads the same', async () => {
    const { file } = await settingsFile(JSON.stringify(V1));
    const store = new JsonFileSettingsStore(file);
    expect(store.get()).toEqual(V1);
    expect(store.recovery.repaired).toEqual([]);

    const updated = store.update({ strength: 0.9, camera: { width: 640 }, backend: 'ort' });
    const expected = { ...V1, strength: 0.9, camera: { ...V1.camera, width: 640 }, backend: 'ort' as const };
    expect(updated).toEqual(expected);
    expect(store.get()).toEqual(expected);
    expect(await readJson(file)).toEqual(expected);
    expect(new JsonFileSettingsStore(file).get()).toEqual(expected);
  });

  it('creates the file and its folder on the first update', async () => {
    const { dir } = await settingsFile();
    const file = path.join(dir, 'nested', 'config', 'settings.json');
    const store = new JsonFileSettingsStore(file);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(existsSync(file)).toBe(false);
    store.update({ showHud: false });
    expect(await readJson(file)).toEqual({ ...DEFAULT_SETTINGS, showHud: false });
  });

  it('hands out copies: changing what get() returned changes nothing', async () => {
    const { file } = await settingsFile();
    const store = new JsonFileSettingsStore(file);
    store.get().camera.width = 17;
    expect(store.get().camera.width).toBe(640);
  });

  it('refuses an invalid patch with a clear error and keeps the settings and file', async () => {
    const { file } = await settingsFile(JSON.stringify(V1));
    const store = new JsonFileSettingsStore(file);
    const bad = [
      { strength: 2 },
      { version: 2 },
      { camera: { width: 'wide' } },
      { theme: 'dark' },
      { processingSize: { width: 256 } },
    ] as unknown as SettingsPatch[];
    for (const patch of bad) {
      expect(() => store.update(patch), JSON.stringify(patch)).toThrow(
        expect.objectContaining({
          code: 'invalid-settings',
          message: expect.stringMatching(/^Settings not changed: /),
        }),
      );
    }
    expect(store.get()).toEqual(V1);
    expect(await readJson(file)).toEqual(V1);
  });

  it('throws a clear error when the file cannot be written, keeping the settings it had', async () => {
    const { file } = await settingsFile(JSON.stringify(V1));
    const store = new JsonFileSettingsStore(file);
    // Replace the file with a folder: the atomic rename onto it must fail.
    await rm(file);
    await mkdir(path.join(file, 'occupied'), { recursive: true });
    expect(() => store.update({ strength: 0.2 })).toThrow(
      expect.objectContaining({
        code: 'settings-write-failed',
        message: expect.stringContaining(`Could not save the settings to ${file}`),
      }),
    );
    expect(store.get()).toEqual(V1);
    // The temporary file is cleaned up.
    expect((await readdir(path.dirname(file))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('recovers a damaged file when it loads', async () => {
    const { dir, file } = await settingsFile('{"version": 1, "strength": ');
    const store = new JsonFileSettingsStore(file);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.recovery.setAside).toBeDefined();
    expect(await asides(dir)).toHaveLength(1);
  });
});

/** An errno error as node:fs throws it. */
function fsError(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EIO: 'i/o error',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? code}, ${syscall}`), { code, syscall });
}

/**
 * node:fs, recording every call that changes the disk (`name basename…`) and failing the calls
 * `failWhen` picks with the error it returns.
 */
function faultyFs(failWhen: (call: string, args: unknown[]) => NodeJS.ErrnoException | null = () => null) {
  const calls: string[] = [];
  const fds = new Map<number, string>();
  const name = (p: unknown) => (typeof p === 'number' ? fds.get(p) : path.basename(String(p)));
  const wrap =
    <K extends keyof SettingsFs>(key: K) =>
    (...args: unknown[]): unknown => {
      const call = `${key} ${args
        .slice(0, key === 'renameSync' || key === 'linkSync' ? 2 : 1)
        .map(name)
        .join(' ')}`;
      if (!['existsSync', 'readSync', 'accessSync'].includes(key)) calls.push(call);
      const error = failWhen(call, args);
      if (error !== null) throw error;
      const result = (fs[key] as (...a: unknown[]) => unknown)(...args);
      if (key === 'openSync') fds.set(result as number, path.basename(String(args[0])));
      return result;
    };
  const keys: (keyof SettingsFs)[] = [
    'openSync',
    'readSync',
    'writeSync',
    'fsyncSync',
    'closeSync',
    'renameSync',
    'linkSync',
    'rmSync',
    'mkdirSync',
    'existsSync',
    'accessSync',
  ];
  return { fs: Object.fromEntries(keys.map((k) => [k, wrap(k)])) as unknown as SettingsFs, calls };
}

describe('settings are never lost (injected faults)', () => {
  it('writes the new file durably before it replaces the old one', async () => {
    const { file } = await settingsFile(JSON.stringify(V1));
    const { fs: recording, calls } = faultyFs();
    const store = new JsonFileSettingsStore(file, { fs: recording });
    calls.length = 0;
    store.update({ strength: 0.75 });
    const temp = calls.find((c) => c.startsWith('openSync .settings.json.'))!.split(' ')[1]!;
    expect(temp).toMatch(/^\.settings\.json\.\d+-[0-9a-f]{8}\.tmp$/);
    const order = ['openSync', 'writeSync', 'fsyncSync', 'closeSync'].map((op) =>
      calls.indexOf(`${op} ${temp}`),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    // The rename comes after the flush, and the folder is flushed after the rename.
    const rename = calls.indexOf(`renameSync ${temp} settings.json`);
    expect(rename).toBeGreaterThan(calls.indexOf(`fsyncSync ${temp}`));
    expect(calls.slice(rename)).toContain(`fsyncSync ${path.basename(path.dirname(file))}`);
    expect(await readJson(file)).toEqual({ ...V1, strength: 0.75 });
  });

  it('keeps a damaged file aside only once its replacement is on the disk', async () => {
    const { dir, file } = await settingsFile('{ "strength": 0.3, oops');
    const { fs: recording, calls } = faultyFs();
    const recovered = recoverSettingsFile(file, { fs: recording });
    const aside = path.basename(recovered.setAside!);
    const temp = calls.find((c) => c.startsWith('fsyncSync .settings.json.'))!.split(' ')[1]!;
    expect(calls.indexOf(`linkSync settings.json ${aside}`)).toBeGreaterThan(
      calls.indexOf(`fsyncSync ${temp}`),
    );
    expect(calls.indexOf(`renameSync ${temp} settings.json`)).toBeGreaterThan(
      calls.indexOf(`linkSync settings.json ${aside}`),
    );
    expect(await readFile(recovered.setAside!, 'utf8')).toBe('{ "strength": 0.3, oops');
    expect(recovered.warnings).toEqual([
      expect.stringMatching(
        /^Some settings in .* could not be used and were reset: settings: not valid JSON/,
      ),
      `The original settings file is kept as ${recovered.setAside}.`,
    ]);
    expect((await readdir(dir)).sort()).toEqual([aside, 'settings.json'].sort());
  });

  it('on a full disk, keeps the old settings, in memory and on disk, and says so', async () => {
    const { dir, file } = await settingsFile(JSON.stringify(V1));
    const before = await readFile(file, 'utf8');
    let full = false;
    const { fs: disk } = faultyFs((call) =>
      full && call.startsWith('writeSync') ? fsError('ENOSPC', 'write') : null,
    );
    const store = new JsonFileSettingsStore(file, { fs: disk });
    full = true;
    expect(() => store.update({ strength: 0.1 })).toThrow(
      expect.objectContaining({
        code: 'settings-write-failed',
        message: expect.stringMatching(
          new RegExp(
            `^Could not save the settings to ${file}: ENOSPC: no space left on device, write\\. The settings saved before are kept`,
          ),
        ),
      }),
    );
    expect(store.get()).toEqual(V1);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['settings.json']);

    full = false;
    expect(store.update({ strength: 0.1 }).strength).toBe(0.1);
    expect(await readJson(file)).toEqual({ ...V1, strength: 0.1 });
  });

  it('on a full disk at start, leaves a damaged file exactly as it was and warns', async () => {
    const { dir, file } = await settingsFile('{ "strength": 0.3, oops');
    const { fs: disk } = faultyFs((call) =>
      call.startsWith('fsyncSync .settings') ? fsError('ENOSPC', 'fsync') : null,
    );
    const recovered = recoverSettingsFile(file, { fs: disk });
    expect(recovered.settings).toEqual(DEFAULT_SETTINGS);
    expect(recovered.setAside).toBeUndefined();
    expect(recovered.warnings[1]).toMatch(
      /cannot save its settings in .*ENOSPC.*the settings file is left as it was/,
    );
    expect(await readFile(file, 'utf8')).toBe('{ "strength": 0.3, oops');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('when the rename fails after the old file was kept aside, puts everything back as it was', async () => {
    const { dir, file } = await settingsFile(JSON.stringify({ ...V1, strength: 'loud' }));
    const { fs: disk } = faultyFs((call) =>
      call.startsWith('renameSync .settings') ? fsError('EIO', 'rename') : null,
    );
    const recovered = recoverSettingsFile(file, { fs: disk });
    expect(recovered.settings.strength).toBe(1);
    expect(recovered.warnings.at(-1)).toMatch(/EIO/);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(await readJson(file)).toMatchObject({ strength: 'loud' });
  });

  it('in a read-only folder, starts with the settings it could read (upgraded) and a warning', async () => {
    const { dir, file } = await settingsFile(JSON.stringify({ strength: 0.25 }));
    const readOnly = (call: string) =>
      /^(openSync \.settings|mkdirSync|renameSync|linkSync)/.test(call) || call.startsWith('accessSync')
        ? fsError('EROFS', call.split(' ')[0]!.replace('Sync', ''))
        : null;
    const { fs: disk } = faultyFs(readOnly);
    const store = new JsonFileSettingsStore(file, { fs: disk });
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, strength: 0.25 });
    expect(store.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Style Mirror cannot save its settings in ${dir} \\(EROFS: read-only file system.*changes will not be kept`,
        ),
      ),
    ]);
    expect(() => store.update({ mirror: false })).toThrow(
      expect.objectContaining({ code: 'settings-write-failed' }),
    );
    expect(await readFile(file, 'utf8')).toBe(JSON.stringify({ strength: 0.25 }));
  });

  it('warns at start when a valid file lies in a folder it cannot write', async () => {
    const { file } = await settingsFile(JSON.stringify(V1));
    const { fs: disk } = faultyFs((call) =>
      call.startsWith('accessSync') ? fsError('EROFS', 'access') : null,
    );
    const store = new JsonFileSettingsStore(file, { fs: disk });
    expect(store.get()).toEqual(V1);
    expect(store.warnings).toEqual([expect.stringMatching(/cannot save its settings.*EROFS/)]);
  });
});
