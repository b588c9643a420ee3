import { describe, expect, it } from 'vitest';
import {
  migrateSettings,
  migrateV0ToV1,
  migrateV1ToV2,
  migrateV2ToV3,
  runMigrations,
  SETTINGS_MIGRATIONS,
  type SettingsMigration,
} from '../../main/core/settings/settings-migrations.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsSchema,
  type Settings,
} from '../../common/settings-schema.js';

/** A complete, valid, non-default version 1 file, as version 1 wrote it. */
const V1 = {
  version: 1,
  modelsDir: '/home/ada/models',
  lastModelId: 'user:rain_princess',
  snapshotsDir: '/home/ada/Pictures/mirror',
  camera: { deviceId: 'cam-2', width: 1280, height: 720 },
  mirror: false,
  processingSize: { width: 320, height: 240 },
  strength: 0.75,
  preserveColors: true,
  splitView: true,
  showHud: false,
  backend: 'tfjs',
} as const;

/** Version 1's fields without its version, as an unversioned file could hold them. */
const V1_FIELDS = Object.fromEntries(Object.entries(V1).filter(([key]) => key !== 'version'));

/** The fields version 3 added, at the values an upgrade gives them. */
const V3_ADDED: Pick<Settings, 'precision' | 'kiosk' | 'cycle' | 'attract' | 'openingHours' | 'remote'> = {
  precision: 'auto',
  kiosk: { enabled: false, displayId: null, pin: null, startAtLogin: false },
  cycle: { seconds: null, order: 'sequence', playlist: [], crossfadeMs: 1500 },
  attract: { afterSeconds: null, mode: 'slower', cycleSeconds: 60, modelId: null },
  openingHours: { enabled: false, open: '09:00', close: '18:00', closed: 'dim' },
  remote: { httpPort: null, oscPort: null },
};

/** The version 1 file after upgrading: the version 2 and 3 fields at their defaults. */
const V1_UPGRADED: Settings = { ...V1, ...V3_ADDED, version: 3, stabilize: true, restWhenStill: true };

/** A complete, valid, non-default version 2 file, as version 2 wrote it. */
const V2 = { ...V1, version: 2, stabilize: false, restWhenStill: false } as const;

/** A complete, valid, non-default version 3 file. */
const V3: Settings = {
  ...V2,
  version: 3,
  precision: 'int8',
  kiosk: { enabled: true, displayId: 2779098405, pin: '4711', startAtLogin: true },
  cycle: { seconds: 30, order: 'shuffle', playlist: ['bundled:mathura', 'user:rain'], crossfadeMs: 800 },
  attract: { afterSeconds: 120, mode: 'style', cycleSeconds: 90, modelId: 'bundled:matta' },
  openingHours: { enabled: true, open: '22:00', close: '06:30', closed: 'black' },
  remote: { httpPort: 8711, oscPort: 9000 },
};

describe('the migration list', () => {
  it('has one step from each version to the next, ending at the current version', () => {
    expect(SETTINGS_MIGRATIONS.map((m) => m.from)).toEqual(
      Array.from({ length: SETTINGS_VERSION }, (_, i) => i),
    );
  });
});

describe('migrateV0ToV1', () => {
  it('keeps the version 1 fields as they are and drops the others, noting each', () => {
    const notes: string[] = [];
    const v0 = { strength: 0.5, mirror: 'yes', theme: 'dark', camera: { deviceId: 'x' }, fps: 30 };
    expect(migrateV0ToV1.migrate(v0, notes)).toEqual({
      strength: 0.5,
      mirror: 'yes', // Checking values is the repair pass's job, not the migration's.
      camera: { deviceId: 'x' },
    });
    expect(notes).toEqual([
      'theme: not a setting of this app, dropped (was "dark")',
      'fps: not a setting of this app, dropped (was 30)',
    ]);
  });

  it('ignores a version field (the runner sets it)', () => {
    expect(migrateV0ToV1.migrate({ version: 0, showHud: false }, [])).toEqual({ showHud: false });
  });
});

describe('migrateV1ToV2', () => {
  it('adds stabilize and restWhenStill, both on, and keeps every version 1 field', () => {
    const notes: string[] = [];
    expect(migrateV1ToV2.migrate(structuredClone(V1), notes)).toEqual({
      ...V1_FIELDS,
      stabilize: true,
      restWhenStill: true,
    });
    expect(notes).toEqual([]);
  });

  it('keeps a value already in the file for the repair pass to check', () => {
    expect(migrateV1ToV2.migrate({ stabilize: false, restWhenStill: 'no' }, [])).toEqual({
      stabilize: false,
      restWhenStill: 'no',
    });
  });
});

describe('runMigrations', () => {
  /** Fake steps that record their order and change the shape a little each time. */
  function steps(log: string[]): SettingsMigration[] {
    const step = (from: number): SettingsMigration => ({
      from,
      description: `${from} -> ${from + 1}`,
      migrate: (settings, notes) => {
        log.push(`${from}->${from + 1} saw version ${String(settings.version)}`);
        notes.push(`step ${from}`);
        return { ...settings, trail: [...((settings.trail as number[] | undefined) ?? []), from] };
      },
    });
    // Deliberately out of order in the list: the runner goes by version, not by position.
    return [step(2), step(0), step(1)];
  }

  it('runs every step from the file version up, in order, setting the version after each', () => {
    const log: string[] = [];
    const run = runMigrations({ a: 1 }, steps(log), 3);
    expect(log).toEqual(['0->1 saw version undefined', '1->2 saw version 1', '2->3 saw version 2']);
    expect(run).toEqual({
      settings: { a: 1, trail: [0, 1, 2], version: 3 },
      fromVersion: 0,
      notes: ['step 0', 'step 1', 'step 2'],
    });
  });

  it('starts at the file version and leaves a current file alone', () => {
    const log: string[] = [];
    expect(runMigrations({ version: 2, a: 1 }, steps(log), 3).settings).toEqual({
      version: 3,
      a: 1,
      trail: [2],
    });
    expect(log).toEqual(['2->3 saw version 2']);
    log.length = 0;
    const current = { version: 3, a: 1 };
    expect(runMigrations(current, steps(log), 3)).toEqual({ settings: current, fromVersion: 3, notes: [] });
    expect(log).toEqual([]);
  });

  it('throws when a step is missing, or the object is newer than the target', () => {
    expect(() => runMigrations({}, [steps([])[1]!], 3)).toThrow(/No settings migration from version 1/);
    expect(() => runMigrations({ version: 4 }, steps([]), 3)).toThrow(/version 4 is newer than 3/);
  });
});

describe('migrateV2ToV3', () => {
  it('adds the installation-mode groups and precision, all off, and keeps every version 2 field', () => {
    const notes: string[] = [];
    const { version, ...v2Fields } = V2;
    expect(version).toBe(2);
    expect(migrateV2ToV3.migrate(structuredClone(V2), notes)).toEqual({ ...v2Fields, ...V3_ADDED });
    expect(notes).toEqual([]);
  });

  it('keeps a value already in the file for the repair pass to check', () => {
    expect(migrateV2ToV3.migrate({ precision: 'int8', kiosk: 'on' }, [])).toMatchObject({
      precision: 'int8',
      kiosk: 'on',
    });
  });
});

describe('migrateSettings', () => {
  it('passes a valid current file through unchanged', () => {
    expect(migrateSettings(structuredClone(V3))).toEqual({ settings: V3, fromVersion: 3, repaired: [] });
  });

  it('upgrades a version 2 file with installation mode off, reporting nothing lost', () => {
    expect(migrateSettings(structuredClone(V2))).toEqual({
      settings: { ...V2, ...V3_ADDED, version: 3 },
      fromVersion: 2,
      repaired: [],
    });
  });

  it('resets a bad field inside a version 3 group alone, keeping its neighbours', () => {
    const outcome = migrateSettings({
      ...V3,
      kiosk: { ...V3.kiosk, pin: '12' },
      openingHours: { ...V3.openingHours, open: '25:00' },
    });
    expect(outcome.settings).toEqual({
      ...V3,
      kiosk: { ...V3.kiosk, pin: null },
      openingHours: { ...V3.openingHours, open: '09:00' },
    });
    expect(outcome.repaired).toEqual([
      expect.stringMatching(/^kiosk\.pin: "12" is not valid \(4 to 8 digits\); reset to null$/),
      expect.stringMatching(/^openingHours\.open: "25:00" is not valid .*"09:00"$/),
    ]);
  });

  it('upgrades a version 1 file with stabilising and resting on, reporting nothing lost', () => {
    expect(migrateSettings(structuredClone(V1))).toEqual({
      settings: V1_UPGRADED,
      fromVersion: 1,
      repaired: [],
    });
  });

  it('resets a nonsense steady-painting value in a version 1 file, reporting it', () => {
    const outcome = migrateSettings({ ...V1, restWhenStill: 'no' });
    expect(outcome.settings).toEqual(V1_UPGRADED);
    expect(outcome.repaired).toEqual([
      expect.stringMatching(/^restWhenStill: "no" is not valid .*reset to true$/),
    ]);
  });

  it('gives the defaults for nothing at all, silently', () => {
    expect(migrateSettings(undefined)).toEqual({
      settings: DEFAULT_SETTINGS,
      fromVersion: null,
      repaired: [],
    });
  });

  it.each([
    [null, 'null'],
    [[1, 2], 'an array'],
    ['settings', 'a string'],
    [42, 'a number'],
  ])('gives the defaults for %j, reporting it', (raw, kind) => {
    const outcome = migrateSettings(raw);
    expect(outcome.settings).toEqual(DEFAULT_SETTINGS);
    expect(outcome.fromVersion).toBeNull();
    expect(outcome.repaired).toEqual([`settings: expected a JSON object, got ${kind}; using the defaults`]);
  });

  it('upgrades an unversioned file: valid fields kept, the rest defaulted, unknown ones dropped', () => {
    const outcome = migrateSettings({
      strength: 0.4,
      backend: 'ort',
      camera: { deviceId: 'cam-9' },
      theme: 'dark',
    });
    expect(outcome.fromVersion).toBe(0);
    expect(outcome.settings).toEqual({
      ...DEFAULT_SETTINGS,
      strength: 0.4,
      backend: 'ort',
      camera: { ...DEFAULT_SETTINGS.camera, deviceId: 'cam-9' },
    });
    expect(outcome.repaired).toEqual(['theme: not a setting of this app, dropped (was "dark")']);
  });

  it('upgrades an unversioned file that only holds version 1 fields without reporting anything', () => {
    expect(migrateSettings(V1_FIELDS)).toEqual({ settings: V1_UPGRADED, fromVersion: 0, repaired: [] });
    expect(migrateSettings({})).toEqual({ settings: DEFAULT_SETTINGS, fromVersion: 0, repaired: [] });
  });

  it('resets each invalid field to its default, field by field inside nested objects', () => {
    const outcome = migrateSettings({
      ...V1,
      strength: 7,
      mirror: 'yes',
      backend: 'cuda',
      camera: { deviceId: 'cam-2', width: -5, height: 720, fps: 60 },
      processingSize: 'big',
      modelsDir: '',
    });
    expect(outcome.settings).toEqual({
      ...V1_UPGRADED,
      strength: DEFAULT_SETTINGS.strength,
      mirror: DEFAULT_SETTINGS.mirror,
      backend: DEFAULT_SETTINGS.backend,
      camera: { deviceId: 'cam-2', width: DEFAULT_SETTINGS.camera.width, height: 720 },
      processingSize: DEFAULT_SETTINGS.processingSize,
      modelsDir: null,
    });
    expect(SettingsSchema.parse(outcome.settings)).toEqual(outcome.settings);
    expect(outcome.fromVersion).toBe(1);
    expect(outcome.repaired).toHaveLength(7);
    expect(outcome.repaired).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^strength: 7 is not valid \(.+\); reset to 1$/),
        expect.stringMatching(/^mirror: "yes" is not valid/),
        expect.stringMatching(/^backend: "cuda" is not valid/),
        expect.stringMatching(/^camera\.width: -5 is not valid .*reset to 640$/),
        'camera.fps: not a setting of this app, dropped (was 60)',
        expect.stringMatching(/^processingSize: "big" is not valid .*reset to \{"width":256,"height":192\}$/),
        expect.stringMatching(/^modelsDir: "" is not valid .*reset to null$/),
      ]),
    );
  });

  it('drops unknown fields of a version 1 file, reporting them', () => {
    const outcome = migrateSettings({ ...V1, __proto__: { polluted: true }, extra: [1] } as unknown);
    expect(outcome.settings).toEqual(V1_UPGRADED);
    expect(outcome.repaired).toEqual(['extra: not a setting of this app, dropped (was [1])']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('drops a "__proto__" field parsed from JSON without touching any prototype', () => {
    const outcome = migrateSettings(JSON.parse('{"version":1,"__proto__":{"strength":0.1},"strength":0.2}'));
    expect(outcome.settings.strength).toBe(0.2);
    expect(Object.getPrototypeOf(outcome.settings)).toBe(Object.prototype);
    expect(outcome.repaired).toEqual([expect.stringMatching(/^__proto__: not a setting/)]);
    const v0 = migrateSettings(JSON.parse('{"__proto__":{"strength":0.1}}'));
    expect(v0.settings).toEqual(DEFAULT_SETTINGS);
    expect(Object.getPrototypeOf(v0.settings)).toBe(Object.prototype);
  });

  it('uses the defaults for a file from a newer app, and says so', () => {
    const outcome = migrateSettings({ ...V3, version: SETTINGS_VERSION + 1, hologram: true });
    expect(outcome.settings).toEqual(DEFAULT_SETTINGS);
    expect(outcome.fromVersion).toBe(SETTINGS_VERSION + 1);
    expect(outcome.repaired).toEqual([
      expect.stringMatching(/^version: 4 was written by a newer Style Mirror \(this one reads up to 3\)/),
    ]);
  });

  it.each(['1', -1, 1.5, null, true])(
    'reads a nonsense version %j as unversioned, reporting it',
    (version) => {
      const outcome = migrateSettings({ version, strength: 0.3 });
      expect(outcome.fromVersion).toBe(0);
      expect(outcome.settings).toEqual({ ...DEFAULT_SETTINGS, strength: 0.3 });
      expect(outcome.repaired).toEqual([expect.stringMatching(/^version: .* is not a version number/)]);
    },
  );

  it('returns settings the caller may change without changing the defaults', () => {
    const outcome = migrateSettings(undefined);
    outcome.settings.camera.width = 99;
    expect(DEFAULT_SETTINGS.camera.width).toBe(640);
  });
});
