/**
 * Upgrades a settings file of any version this app has ever written to the current shape, and repairs
 * what cannot be trusted. Each migration takes version n to n+1 and is written against the shapes of
 * those two versions as they were (never against `SettingsSchema`, which moves on). After migrating,
 * every field is checked against the current schema: a valid field is kept, an invalid one is reset to
 * its default, an unknown one is dropped, and each reset or drop is reported.
 *
 * To change the settings' shape: bump `SETTINGS_VERSION`, add a migration from the previous version
 * here, and test it on its own.
 */
import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsSchema,
  type Settings,
} from '../../../common/settings-schema.js';

/** A settings object read from disk, of some version: nothing about it is trusted. */
export type RawSettings = Record<string, unknown>;

/** One step: the settings of version `from` become those of version `from + 1`. */
export interface SettingsMigration {
  readonly from: number;
  /** What the step changes, for people reading logs and code. */
  readonly description: string;
  /**
   * Returns the next version's object (without `version`: the runner sets it). Pushes a note for
   * every value it had to drop, so nothing is lost silently.
   */
  migrate(settings: RawSettings, notes: string[]): RawSettings;
}

/**
 * Version 0: files written before settings had a version. Any subset of the version 1 fields, perhaps
 * with fields that never made it into version 1. These names are version 1's, frozen here.
 */
const V1_FIELDS = [
  'modelsDir',
  'lastModelId',
  'snapshotsDir',
  'camera',
  'mirror',
  'processingSize',
  'strength',
  'preserveColors',
  'splitView',
  'showHud',
  'backend',
] as const;

/** 0 -> 1: keep the fields version 1 knows (checking their values is the repair pass's job), drop the rest. */
export const migrateV0ToV1: SettingsMigration = {
  from: 0,
  description: 'Unversioned settings: keep the version 1 fields, drop the others.',
  migrate(settings, notes) {
    const next: RawSettings = {};
    for (const [key, value] of Object.entries(settings)) {
      if (key === 'version') continue;
      if ((V1_FIELDS as readonly string[]).includes(key)) next[key] = value;
      else notes.push(`${key}: not a setting of this app, dropped (was ${preview(value)})`);
    }
    return next;
  },
};

/**
 * 1 -> 2: the steady-painting settings arrive, both on: people who upgrade get the steadier, cooler
 * mirror as new installs do. A value already in the file (written by hand) is kept for the repair
 * pass to check.
 */
export const migrateV1ToV2: SettingsMigration = {
  from: 1,
  description: 'Adds stabilize and restWhenStill, both on.',
  migrate(settings) {
    const next: RawSettings = { stabilize: true, restWhenStill: true, ...settings };
    delete next.version;
    return next;
  },
};

/**
 * 2 -> 3: installation mode and the int8 engine arrive, all off (precision `auto`): an upgraded
 * mirror behaves as it did. These defaults are version 3's, frozen here.
 */
export const migrateV2ToV3: SettingsMigration = {
  from: 2,
  description: 'Adds precision, kiosk, cycle, attract, openingHours and remote, all off.',
  migrate(settings) {
    const next: RawSettings = {
      precision: 'auto',
      kiosk: { enabled: false, displayId: null, pin: null, startAtLogin: false },
      cycle: { seconds: null, order: 'sequence', playlist: [], crossfadeMs: 1500 },
      attract: { afterSeconds: null, mode: 'slower', cycleSeconds: 60, modelId: null },
      openingHours: { enabled: false, open: '09:00', close: '18:00', closed: 'dim' },
      remote: { httpPort: null, oscPort: null },
      ...settings,
    };
    delete next.version;
    return next;
  },
};

/** Every migration, in order: entry i takes version i to i+1. */
export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [
  migrateV0ToV1,
  migrateV1ToV2,
  migrateV2ToV3,
];

/** The outcome of reading a settings object. */
export interface MigrationOutcome {
  /** Valid, current settings: always usable. */
  readonly settings: Settings;
  /** The version the input was read as (0: unversioned); null when it was not a settings object at all. */
  readonly fromVersion: number | null;
  /**
   * One line per value that was not kept as it was: reset to its default, dropped, or the whole file
   * replaced by defaults (unreadable, or written by a newer app). Empty when nothing was lost.
   */
  readonly repaired: string[];
}

/** The result of running migrations alone, before the repair pass. */
export interface MigrationRun {
  readonly settings: RawSettings;
  readonly fromVersion: number;
  readonly notes: string[];
}

/**
 * Runs `migrations` on `raw` (an object with an optional `version`) up to `targetVersion`, each in
 * order, starting at the object's version.
 *
 * @throws {Error} when a version has no migration or one throws: a bug in this file, which
 *   {@link migrateSettings} turns into defaults.
 */
export function runMigrations(
  raw: RawSettings,
  migrations: readonly SettingsMigration[],
  targetVersion: number,
): MigrationRun {
  const fromVersion = readVersion(raw.version);
  if (fromVersion > targetVersion) {
    throw new Error(`Settings version ${fromVersion} is newer than ${targetVersion}.`);
  }
  const notes: string[] = [];
  let settings: RawSettings = { ...raw };
  for (let version = fromVersion; version < targetVersion; version++) {
    const step = migrations.find((m) => m.from === version);
    if (step === undefined) throw new Error(`No settings migration from version ${version}.`);
    settings = { ...step.migrate(settings, notes), version: version + 1 };
  }
  return { settings, fromVersion, notes };
}

/**
 * Turns whatever a settings file held into valid, current settings. Never throws: anything it cannot
 * use is replaced by defaults and reported in `repaired`.
 */
export function migrateSettings(raw: unknown): MigrationOutcome {
  if (raw === undefined) return { settings: defaults(), fromVersion: null, repaired: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      settings: defaults(),
      fromVersion: null,
      repaired: [`settings: expected a JSON object, got ${kindOf(raw)}; using the defaults`],
    };
  }
  const record = raw as RawSettings;
  const version = readVersion(record.version);
  const repaired: string[] = [];
  if (version > SETTINGS_VERSION) {
    return {
      settings: defaults(),
      fromVersion: version,
      repaired: [
        `version: ${preview(record.version)} was written by a newer Style Mirror (this one reads up to ${SETTINGS_VERSION}); using the defaults`,
      ],
    };
  }
  if (record.version !== undefined && record.version !== 0 && version === 0) {
    repaired.push(
      `version: ${preview(record.version)} is not a version number; read as unversioned settings`,
    );
  }
  let migrated: MigrationRun;
  try {
    migrated = runMigrations({ ...record, version }, SETTINGS_MIGRATIONS, SETTINGS_VERSION);
  } catch (error) {
    return {
      settings: defaults(),
      fromVersion: version,
      repaired: [
        ...repaired,
        `settings: could not be upgraded (${(error as Error).message}); using the defaults`,
      ],
    };
  }
  repaired.push(...migrated.notes);
  const settings = repairObject(
    SettingsSchema,
    migrated.settings,
    DEFAULT_SETTINGS,
    '',
    repaired,
  ) as Settings;
  return { settings: { ...settings, version: SETTINGS_VERSION }, fromVersion: version, repaired };
}

/** A version read from a file; missing or nonsense (a string, a fraction, negative) is 0. */
function readVersion(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/**
 * Keeps each field of `value` that `schema` accepts, recursing into nested objects so one bad camera
 * width does not cost the chosen camera; resets the others to `fallback`'s and drops unknown fields.
 * A missing field takes its default without a note: nothing was lost.
 */
function repairObject(
  schema: z.ZodObject,
  value: RawSettings,
  fallback: Record<string, unknown>,
  prefix: string,
  repaired: string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    const field = `${prefix}${key}`;
    const fallbackValue = fallback[key];
    if (!Object.hasOwn(value, key) || value[key] === undefined) {
      result[key] = structuredClone(fallbackValue);
      continue;
    }
    const given = value[key];
    if (
      fieldSchema instanceof z.ZodObject &&
      typeof given === 'object' &&
      given !== null &&
      !Array.isArray(given)
    ) {
      result[key] = repairObject(
        fieldSchema,
        given as RawSettings,
        fallbackValue as Record<string, unknown>,
        `${field}.`,
        repaired,
      );
      continue;
    }
    const parsed = (fieldSchema as z.ZodType).safeParse(given);
    if (parsed.success) {
      result[key] = parsed.data;
    } else {
      result[key] = structuredClone(fallbackValue);
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      repaired.push(
        `${field}: ${preview(given)} is not valid (${reason}); reset to ${preview(fallbackValue)}`,
      );
    }
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(schema.shape, key)) {
      repaired.push(`${prefix}${key}: not a setting of this app, dropped (was ${preview(value[key])})`);
    }
  }
  return result;
}

function defaults(): Settings {
  return structuredClone(DEFAULT_SETTINGS);
}

/** A short, inert rendering of a value from a file, for a note a person reads. */
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
