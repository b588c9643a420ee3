import { z } from 'zod';
import {
  DEFAULT_PAGE_PROCESSING_BOX,
  MAX_PAGE_FRAME,
  MAX_PAGE_PROCESSING_PIXELS,
  type ClientMessage,
} from '../../common/wire.js';
import type { ContractError } from '../../common/contract.js';
import { MIN_FRAME_SIDE } from '../../common/frame.js';

const side = z
  .number()
  .int()
  .min(MIN_FRAME_SIDE)
  .max(MAX_PAGE_FRAME.side, `browser mode takes at most ${MAX_PAGE_FRAME.side} pixels a side`);
const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

interface Size {
  readonly width: number;
  readonly height: number;
}

/** Why browser mode will not run the network at `size`, or undefined when it will. */
export function processingSizeProblem(size: Size): string | undefined {
  const pixels = size.width * size.height;
  if (pixels <= MAX_PAGE_PROCESSING_PIXELS) return undefined;
  const box = DEFAULT_PAGE_PROCESSING_BOX;
  return (
    `${size.width}x${size.height} is ${pixels} pixels; browser mode processes at most ` +
    `${MAX_PAGE_PROCESSING_PIXELS} (${box.width}x${box.height}). Choose a smaller processing size.`
  );
}

const FrameSchema = z
  .object({
    data: z.instanceof(Uint8Array),
    width: side,
    height: side,
    channels: z.union([z.literal(3), z.literal(4)]),
  })
  .strict()
  .refine((f) => f.width * f.height <= MAX_PAGE_FRAME.pixels, {
    message: `browser mode takes frames of at most ${MAX_PAGE_FRAME.pixels} pixels (1920x1080)`,
  })
  .refine((f) => f.data.length === f.width * f.height * f.channels, {
    message: 'data must hold exactly width x height x channels bytes',
    path: ['data'],
  });

const ProcessingSizeSchema = z
  .object({ width: side, height: side })
  .strict()
  .superRefine((size, context) => {
    const problem = processingSizeProblem(size);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

const StylizeOptionsSchema = z
  .object({
    // The page sends frames cropped to its processing size and no box; without one the engine would
    // run the network at the frame's own size, so browser mode always gives it one.
    maxNetworkSize: ProcessingSizeSchema.default(DEFAULT_PAGE_PROCESSING_BOX),
    strength: z.number().min(0).max(1).optional(),
    preserveColors: z.boolean().optional(),
  })
  .strict();

/** Every message a browser may send, checked before anything acts on it: it came from the network. */
const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('control'), id, channel: z.string().max(256), payload: z.unknown() }).strict(),
  z
    .object({
      t: z.literal('frame'),
      id,
      frame: FrameSchema,
      options: StylizeOptionsSchema.default({ maxNetworkSize: DEFAULT_PAGE_PROCESSING_BOX }),
    })
    .strict(),
]);

/** A message that failed the check, with the id to answer under (-1 when it had no usable id). */
export interface BadClientMessage {
  readonly id: number;
  readonly error: ContractError;
}

/** Checks a decoded WebSocket message; says what is wrong with it otherwise. */
export function parseClientMessage(
  value: unknown,
): { ok: true; message: ClientMessage } | ({ ok: false } & BadClientMessage) {
  const parsed = ClientMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ');
  return badMessage(value, `Bad message: ${issues}.`);
}

/** An error reply for `value`, answered under its id when it has a usable one. */
export function badMessage(value: unknown, message: string): { ok: false } & BadClientMessage {
  const candidate = (value as { id?: unknown } | null)?.id;
  const replyId = id.safeParse(candidate).success ? (candidate as number) : -1;
  return { ok: false, id: replyId, error: { code: 'invalid-message', message } };
}
