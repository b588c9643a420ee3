import { z } from 'zod';

/** The settings file's current shape. Bump with a migration in `settings-migrations.ts`. */
export const SETTINGS_VERSION = 3;

const side = z.number().int().min(16).max(4096);
const modelId = z.string().min(1).max(1024);
const port = z.number().int().min(1).max(65535);
/** A time of day on a 24-hour clock, as a person types it: "09:30". */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day like "09:30"');

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
  /** The engine's arithmetic: `auto` runs int8 only where the CPU has fast int8 and the model keeps its quality. */
  precision: z.enum(['auto', 'fp32', 'int8']),
  /** Installation mode: the picture alone, on a chosen display, for weeks. */
  kiosk: z.object({
    enabled: z.boolean(),
    /** The display to fill (Electron's `Display.id`); null: the primary display. */
    displayId: z.number().int().nullable(),
    /** Digits asked for after the key chord before the settings show; null: no PIN. */
    pin: z
      .string()
      .regex(/^\d{4,8}$/, '4 to 8 digits')
      .nullable(),
    /** Start the app when the computer's user logs in. */
    startAtLogin: z.boolean(),
  }),
  /** Styles that change by themselves. */
  cycle: z.object({
    /** Seconds each style is shown; null: styles change only when someone changes them. */
    seconds: z.number().int().min(3).max(86_400).nullable(),
    order: z.enum(['sequence', 'shuffle']),
    /** The styles to cycle through, in order; empty: every style in the library. */
    playlist: z.array(modelId).max(1000),
    /** How long one style fades into the next; 0: a cut. */
    crossfadeMs: z.number().int().min(0).max(10_000),
  }),
  /** What the mirror does when nobody has moved in front of it for a while. */
  attract: z.object({
    /** Seconds without motion before attract mode; null: never. */
    afterSeconds: z.number().int().min(5).max(86_400).nullable(),
    /** `slower`: keep cycling, every `cycleSeconds`; `style`: hold `modelId`. */
    mode: z.enum(['slower', 'style']),
    cycleSeconds: z.number().int().min(3).max(86_400),
    /** The idle style for `style` mode; null: keep the current one. */
    modelId: modelId.nullable(),
  }),
  /** Outside these hours the mirror dims or goes black (and the engine rests). */
  openingHours: z.object({
    enabled: z.boolean(),
    /** Local time the mirror wakes; a close earlier than the open spans midnight. */
    open: clockTime,
    close: clockTime,
    closed: z.enum(['dim', 'black']),
  }),
  /** Remote control on loopback, off by default (`--control-port` and `--osc-port` override). */
  remote: z.object({
    httpPort: port.nullable(),
    oscPort: port.nullable(),
  }),
});

export type Settings = z.infer<typeof SettingsSchema>;

/**
 * A partial update the app itself makes: any subset of the fields but `version`, camera fields one by
 * one. Only main makes one with the folders in it, after the person chose a folder in a dialog.
 */
export const SettingsUpdateSchema = SettingsSchema.omit({ version: true })
  .extend({
    camera: SettingsSchema.shape.camera.partial(),
    kiosk: SettingsSchema.shape.kiosk.partial(),
    cycle: SettingsSchema.shape.cycle.partial(),
    attract: SettingsSchema.shape.attract.partial(),
    openingHours: SettingsSchema.shape.openingHours.partial(),
    remote: SettingsSchema.shape.remote.partial(),
  })
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
  precision: 'auto',
  kiosk: { enabled: false, displayId: null, pin: null, startAtLogin: false },
  cycle: { seconds: null, order: 'sequence', playlist: [], crossfadeMs: 1500 },
  attract: { afterSeconds: null, mode: 'slower', cycleSeconds: 60, modelId: null },
  openingHours: { enabled: false, open: '09:00', close: '18:00', closed: 'dim' },
  remote: { httpPort: null, oscPort: null },
};
