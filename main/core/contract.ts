/**
 * The one contract between the renderer and whatever serves it (Electron's main process through the
 * preload, or browser mode's WebSocket server). Every control channel is named here once, with its
 * request and response schemas; main, preload, renderer and browser mode all import it. Requests are
 * validated at runtime on the serving side: a renderer is never trusted.
 *
 * Frames do not travel on control channels: they go renderer -> engine on a frame port (Electron) or
 * as binary WebSocket messages (browser mode), in the engine worker's own protocol
 * (`main/engine/worker/protocol.ts`).
 */
import { z } from 'zod';
import { SettingsPatchSchema, SettingsSchema } from './settings/settings-schema.js';

/** A model the mirror can show, as the picker lists it. */
export const ModelInfoSchema = z.object({
  /** Stable across runs: `<source>:<folder name>`. */
  id: z.string(),
  /** For people: the folder name, de-underscored and capitalised ("rain_princess" -> "Rain Princess"). */
  name: z.string(),
  source: z.enum(['bundled', 'user']),
  /** Whether the folder holds the painting the model was trained on (style.jpg/.png/.webp). */
  hasStyleImage: z.boolean(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

const BackendInfoSchema = z.object({
  kind: z.enum(['ort', 'tfjs']),
  runtime: z.string(),
  device: z.string(),
  fallbackReason: z.string().optional(),
  // Optional here so that renderer code and fakes written before int8 still type-check.
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

/**
 * Every control channel: request schema and response schema. A channel's name is also its IPC
 * channel in Electron and its `channel` field in browser mode.
 */
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
  'settings:get': { request: empty, response: SettingsSchema },
  /** Applies a partial update and returns the whole new settings. */
  'settings:update': { request: SettingsPatchSchema, response: SettingsSchema },
  /** Saves PNG bytes into the snapshots folder; returns the file's path. */
  'snapshot:save': {
    request: z
      .object({ png: bytes.refine((b) => b.length <= 64 * 1024 * 1024, 'a snapshot is at most 64 MiB') })
      .strict(),
    response: z.object({ path: z.string() }),
  },
  /** Shows the snapshots folder in the system's file manager (Electron only; browser mode says where it is). */
  'snapshot:open-folder': { request: empty, response: z.object({ path: z.string() }) },
  /** What the engine is running now, or null before a model is loaded. */
  'engine:status': { request: empty, response: EngineStatusSchema.nullable() },
} as const;

export type ControlChannel = keyof typeof CONTROL_CHANNELS;
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

export function isControlChannel(channel: unknown): channel is ControlChannel {
  return typeof channel === 'string' && Object.hasOwn(CONTROL_CHANNELS, channel);
}

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
