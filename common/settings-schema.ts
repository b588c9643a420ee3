import { z } from 'zod';

/** The settings file's current shape. Bump with a migration in `settings-migrations.ts`. */
export const SETTINGS_VERSION = 2;

const side = z.number().int().min(16).max(4096);

export const SizeSchema = z.object({ width: side, height: side });

/** Everything the mirror remembers between runs. */
export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  /** The folder of the user's own models (ml5 model folders inside it); null: only bundled models. */
  modelsDir: z.string().min(1).max(4096).nullable(),
  /** The model shown last, restored at start. */
  lastModelId: z.string().min(1).max(1024).nullable(),
  /** Where snapshots go; null: the platform's Pictures folder, in "Style Mirror". */
  snapshotsDir: z.string().min(1).max(4096).nullable(),
  camera: z.object({
    /** A MediaDeviceInfo.deviceId; null: the system default camera. */
    deviceId: z.string().max(1024).nullable(),
    /** Requested capture resolution. */
    width: side,
    height: side,
  }),
  /** Horizontal flip, as a mirror shows you. */
  mirror: z.boolean(),
  /** The network's working size: smaller is faster and paints bolder strokes. */
  processingSize: SizeSchema,
  strength: z.number().min(0).max(1),
  preserveColors: z.boolean(),
  /** Raw camera on the left half, stylized on the right. */
  splitView: z.boolean(),
  showHud: z.boolean(),
  backend: z.enum(['auto', 'ort', 'tfjs']),
  /** Steady the painting where the camera picture is still, so noise does not make it shimmer. */
  stabilize: z.boolean(),
  /** Stop painting while the camera sees nothing but noise (a slow heartbeat still follows the light). */
  restWhenStill: z.boolean(),
});

export type Settings = z.infer<typeof SettingsSchema>;

/**
 * A partial update the app itself makes: any subset of the fields but `version`, camera fields one by
 * one. Only main makes one with the folders in it, after the person chose a folder in a dialog.
 */
export const SettingsUpdateSchema = SettingsSchema.omit({ version: true })
  .extend({ camera: SettingsSchema.shape.camera.partial() })
  .partial()
  .strict();

export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;

/**
 * A partial update from the page: no folders. A folder is chosen by the person in a native dialog
 * (`folders:choose-*`), never set to a path the page makes up: the page may be compromised, and a
 * folder is where the app writes files and what it hands the system's file manager to open.
 */
export const SettingsPatchSchema = SettingsUpdateSchema.omit({
  modelsDir: true,
  snapshotsDir: true,
}).strict();

export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  version: SETTINGS_VERSION,
  modelsDir: null,
  lastModelId: null,
  snapshotsDir: null,
  camera: { deviceId: null, width: 640, height: 480 },
  mirror: true,
  processingSize: { width: 256, height: 192 },
  strength: 1,
  preserveColors: false,
  splitView: false,
  showHud: true,
  backend: 'auto',
  stabilize: true,
  restWhenStill: true,
};
