/**
 * The one contract between the renderer and whatever serves it (Electron's main process through the
 * preload, or browser mode's WebSocket server). Every control channel is named here once, with its
 * request and response schemas; main, preload, renderer and browser mode all import it. Requests are
 * validated at runtime on the serving side: a renderer is never trusted.
 *
 * Frames do not travel on control channels: they go renderer -> engine on a frame port (Electron) or
 * as binary WebSocket messages (browser mode), in the engine worker's own protocol
 * (`common/engine-protocol.ts`).
 */
import { z } from 'zod';
import { isControlChannel, type ControlChannel } from './control-channels.js';
import { SettingsPatchSchema, SettingsSchema } from './settings-schema.js';

/** Where a model's weights come from and what a person may do with them, as the picker shows it. */
export const ModelLicenceSchema = z.object({
  /** "MIT", "Research use only", ... */
  name: z.string().max(200),
  url: z.string().max(2048).optional(),
  /** What a person must know before using or sharing the model. */
  notice: z
    .string()
    .max(64 * 1024)
    .optional(),
});
export type ModelLicence = z.infer<typeof ModelLicenceSchema>;

/** The model formats the engine runs. */
export const ModelFormatSchema = z.enum(['ml5', 'tfjs-graph', 'onnx']);
export type ModelFormat = z.infer<typeof ModelFormatSchema>;
export { isControlChannel, type ControlChannel };

/** A model the mirror can show, as the picker lists it. */
export const ModelInfoSchema = z.object({
  /**
   * Stable across runs: `<source>:<folder name>`. `bundled`: ships with the app (read-only);
   * `library`: imported or downloaded into the app's library; `user`: a folder in the models folder
   * the person chose (`--models`), left as it is.
   */
  id: z.string(),
  /** For people: the library's name, else the folder name de-underscored and capitalised. */
  name: z.string(),
  source: z.enum(['bundled', 'library', 'user']),
  format: ModelFormatSchema,
  /** Whether the folder holds the painting the model was trained on (style.jpg/.png/.webp). */
  hasStyleImage: z.boolean(),
  licence: ModelLicenceSchema.optional(),
  /** When it entered the library (ISO 8601); library models only. */
  addedAt: z.string().optional(),
  /** Library models can be renamed and deleted; bundled models and the person's own folder cannot. */
  editable: z.boolean(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

const BackendInfoSchema = z.object({
  kind: z.enum(['ort', 'tfjs']),
  runtime: z.string(),
  device: z.string(),
  fallbackReason: z.string().optional(),
  // Optional so that an engine status from before int8 (no precision) still passes.
  precision: z.enum(['fp32', 'int8']).optional(),
  precisionReason: z.string().optional(),
});

export const EngineStatusSchema = z.object({
  model: z.string(),
  modelId: z.string(),
  backend: BackendInfoSchema,
});
export type MirrorEngineStatus = z.infer<typeof EngineStatusSchema>;

const modelId = z.string().min(1).max(1024);

/**
 * Raw bytes. `z.instanceof(Uint8Array)` would infer `Uint8Array<ArrayBuffer>`, which pixel buffers
 * from other sources (Node Buffers, transferred views) do not satisfy; plain `Uint8Array` is the truth.
 */
const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes (a Uint8Array)');

/** RGBA pixels, for thumbnails: small frames only on a control channel. */
const SmallFrameSchema = z.object({
  data: bytes,
  width: z.number().int().min(16).max(512),
  height: z.number().int().min(16).max(512),
  channels: z.literal(4),
});

const empty = z.object({}).strict();

/** What the contract says of one channel. */
interface ChannelSchemas {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

/**
 * Every control channel: request schema and response schema, exactly the channels of
 * `CONTROL_METHODS` (the type checker refuses a missing or an extra one). A channel's name is also
 * its IPC channel in Electron and its `channel` field in browser mode.
 */
/** Largest recording the app saves: minutes of the mirror at its sizes, with room to spare. */
export const MAX_RECORDING_BYTES = 1024 * 1024 * 1024;

/** Most files one import may upload, and their total size: a model is a few megabytes. */
export const MAX_IMPORT_FILES = 200;
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** A dropped or picked model, as the page uploads it: relative paths (`/`-separated) and contents. */
const ImportFilesSchema = z
  .array(z.object({ path: z.string().min(1).max(1024), bytes }).strict())
  .min(1, 'no files to import')
  .max(MAX_IMPORT_FILES, `a style has at most ${MAX_IMPORT_FILES} files`)
  .refine(
    (files) => files.reduce((sum, file) => sum + file.bytes.length, 0) <= MAX_IMPORT_BYTES,
    `a style is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`,
  );

/** A pack of styles "Get more styles" offers, with what the person must read before downloading. */
export const PackInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  licence: ModelLicenceSchema,
  /** Styles in the pack, and how many of them the library already has. */
  models: z.number().int(),
  inLibrary: z.number().int(),
  /** Bytes still to download. */
  bytesToDownload: z.number().int(),
});
export type PackInfo = z.infer<typeof PackInfoSchema>;

/** The one pack download that may run at a time, as the page polls it. */
export const PackStatusSchema = z.object({
  state: z.enum(['idle', 'downloading', 'done', 'failed', 'cancelled']),
  packId: z.string().optional(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  /** The style being fetched now. */
  model: z.string().optional(),
  /** Ids of the styles this run added to the library. */
  added: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type PackStatus = z.infer<typeof PackStatusSchema>;

/** A display the app could fill in kiosk mode (Electron's `Display`, as a person picks one). */
export const DisplayInfoSchema = z
  .object({
    /** Electron's `Display.id`: what `settings.kiosk.displayId` holds. */
    id: z.number().int(),
    /** The system's name for it ("DELL U2720Q"), or "Display 2". */
    label: z.string().max(200),
    width: z.number().int().nonnegative(),
    height: z.number().int().nonnegative(),
    primary: z.boolean(),
  })
  .strict();
export type DisplayInfo = z.infer<typeof DisplayInfoSchema>;

/**
 * What only the page knows about the mirror, sent about once a second for the remote control's
 * status document: main keeps the latest report of each page.
 */
export const PageReportSchema = z
  .object({
    /** Frames drawn in the last second. */
    displayedFps: z.number().min(0).max(1000),
    /** How long ago the newest frame was drawn, as the report leaves; null before the first. */
    newestFrameAgeMs: z.number().min(0).max(1e12).nullable(),
    /** The style on screen, or null before one is. */
    currentModelId: modelId.nullable(),
    /** Whether the mirror rests (the camera sees a still scene). */
    resting: z.boolean(),
    /** What is wrong with the camera, for people; null when it works. */
    cameraError: z.string().max(1000).nullable(),
  })
  .strict();
export type PageReport = z.infer<typeof PageReportSchema>;

export const CONTROL_CHANNELS = {
  /** Models in the bundled folder and the user's folder. */
  'models:list': { request: empty, response: z.array(ModelInfoSchema) },
  /** Loads a model on the engine and makes it current; remembers it as the last used. */
  'models:select': { request: z.object({ id: modelId }).strict(), response: EngineStatusSchema },
  /** The painting a model was trained on (JPEG/PNG/WebP bytes), or null when its folder has none. */
  'models:style-image': {
    request: z.object({ id: modelId }).strict(),
    response: z.object({ bytes, mimeType: z.string() }).nullable(),
  },
  /** A small frame stylized with a model other than the current one, for the picker's thumbnails. */
  'models:thumbnail': {
    request: z.object({ id: modelId, frame: SmallFrameSchema }).strict(),
    response: SmallFrameSchema,
  },
  /**
   * Adds a style to the library from files the page uploads (a dropped folder, or one .zip), checked
   * in full before it is listed; browser mode only when `serve` was started with --allow-imports.
   */
  'models:import': {
    request: z.object({ files: ImportFilesSchema, name: z.string().max(200).optional() }).strict(),
    response: ModelInfoSchema,
  },
  /** The same from a folder or .zip the person picks in the system's dialog (Electron only); null: cancelled. */
  'models:import-dialog': { request: empty, response: ModelInfoSchema.nullable() },
  /** A library style's new name for people (its id stays). */
  'models:rename': {
    request: z.object({ id: modelId, name: z.string().max(200) }).strict(),
    response: ModelInfoSchema,
  },
  /** Deletes a library style (the page asks the person first); bundled styles cannot be deleted. */
  'models:remove': { request: z.object({ id: modelId }).strict(), response: empty },
  /** The packs "Get more styles" offers. */
  'packs:list': { request: empty, response: z.array(PackInfoSchema) },
  /** Starts downloading a pack into the library (after the person accepted its licence). */
  'packs:download': { request: z.object({ id: z.string().max(64) }).strict(), response: PackStatusSchema },
  'packs:status': { request: empty, response: PackStatusSchema },
  /** Stops the download; what was fetched is kept, so the next start resumes. */
  'packs:cancel': { request: empty, response: PackStatusSchema },
  'settings:get': { request: empty, response: SettingsSchema },
  /** Applies a partial update and returns the whole new settings. */
  'settings:update': { request: SettingsPatchSchema, response: SettingsSchema },
  /**
   * What the person should be told about the settings since the start, one sentence each: values
   * reset, a damaged file kept aside, a folder where changes cannot be saved. Empty when all is well.
   */
  'settings:warnings': { request: empty, response: z.array(z.string()) },
  /**
   * Asks the person for their models folder in the system's folder dialog (Electron only; browser
   * mode refuses: there it is chosen by whoever started `serve`). The page never names a path. Returns
   * the whole new settings, or null when the person cancelled.
   */
  'folders:choose-models': { request: empty, response: SettingsSchema.nullable() },
  /** The same for the snapshots folder. */
  'folders:choose-snapshots': { request: empty, response: SettingsSchema.nullable() },
  /** Saves PNG bytes into the snapshots folder; returns the file's path. */
  'snapshot:save': {
    request: z
      .object({ png: bytes.refine((b) => b.length <= 64 * 1024 * 1024, 'a snapshot is at most 64 MiB') })
      .strict(),
    response: z.object({ path: z.string() }),
  },
  /**
   * Shows the snapshots folder (the one the person chose, or Pictures/Style Mirror) in the system's
   * file manager (Electron only; browser mode says where it is). Takes no path: none comes from the page.
   */
  'snapshot:open-folder': { request: empty, response: z.object({ path: z.string() }) },
  /**
   * Saves a WebM recording of the mirror into the snapshots folder; returns the file's path. Electron
   * only: in browser mode the page downloads its recording itself, and the server refuses.
   */
  'recording:save': {
    request: z
      .object({
        webm: bytes.refine((b) => b.length <= MAX_RECORDING_BYTES, 'a recording is at most 1 GiB'),
      })
      .strict(),
    response: z.object({ path: z.string() }),
  },
  /** What the engine is running now, or null before a model is loaded. */
  'engine:status': { request: empty, response: EngineStatusSchema.nullable() },
  /** The page's own facts for the status document (see {@link PageReportSchema}). */
  'mirror:report': { request: PageReportSchema, response: empty },
  /** The displays connected now, for kiosk mode's choice; none in browser mode. */
  'displays:list': { request: empty, response: z.array(DisplayInfoSchema).max(64) },
} as const satisfies { readonly [C in ControlChannel]: ChannelSchemas };
export type ControlRequest<C extends ControlChannel> = z.input<(typeof CONTROL_CHANNELS)[C]['request']>;
export type ControlResponse<C extends ControlChannel> = z.output<(typeof CONTROL_CHANNELS)[C]['response']>;

/** An error as it crosses a process or network boundary: data, never a thrown object. */
export interface ContractError {
  /** `invalid-request`, `forbidden`, `unknown-channel`, or the failing error's own code (`manifest-missing`…). */
  readonly code: string;
  readonly message: string;
}

/** Handlers never throw across the boundary. */
export type Result<T, E = ContractError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Parses a request for `channel`, or describes exactly what is wrong with it. */
export function parseControlRequest<C extends ControlChannel>(
  channel: C,
  payload: unknown,
): Result<z.output<(typeof CONTROL_CHANNELS)[C]['request']>> {
  const parsed = CONTROL_CHANNELS[channel].request.safeParse(payload ?? {});
  if (parsed.success)
    return { ok: true, value: parsed.data as z.output<(typeof CONTROL_CHANNELS)[C]['request']> };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'request'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: { code: 'invalid-request', message: `Bad request on ${channel}: ${issues}` } };
}

/** The server side of the contract: one async function per channel, given a validated request. */
export type ControlHandlers = {
  [C in ControlChannel]: (
    request: z.output<(typeof CONTROL_CHANNELS)[C]['request']>,
  ) => Promise<ControlResponse<C>>;
};

/**
 * Validates and dispatches one control request. Both adapters (Electron IPC, browser-mode WebSocket)
 * call this, so validation and error shaping live in one place.
 */
export async function dispatchControl(
  handlers: ControlHandlers,
  channel: unknown,
  payload: unknown,
): Promise<Result<unknown>> {
  if (!isControlChannel(channel)) {
    return {
      ok: false,
      error: { code: 'unknown-channel', message: `No control channel ${JSON.stringify(channel)}.` },
    };
  }
  const request = parseControlRequest(channel, payload);
  if (!request.ok) return request;
  try {
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(request.value) };
  } catch (error) {
    return { ok: false, error: toContractError(error) };
  }
}

export function toContractError(error: unknown): ContractError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}
