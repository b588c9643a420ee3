import { z } from 'zod';
import type { ClientMessage } from '../../common/wire.js';
import type { ContractError } from '../../common/contract.js';
import { MAX_FRAME_SIDE, MIN_FRAME_SIDE } from '../../common/frame.js';

const side = z.number().int().min(MIN_FRAME_SIDE).max(MAX_FRAME_SIDE);
const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const FrameSchema = z
  .object({
    data: z.instanceof(Uint8Array),
    width: side,
    height: side,
    channels: z.union([z.literal(3), z.literal(4)]),
  })
  .strict()
  .refine((f) => f.data.length === f.width * f.height * f.channels, {
    message: 'data must hold exactly width x height x channels bytes',
    path: ['data'],
  });

const StylizeOptionsSchema = z
  .object({
    processingSize: z.object({ width: side, height: side }).strict().optional(),
    strength: z.number().min(0).max(1).optional(),
    preserveColors: z.boolean().optional(),
  })
  .strict();

/** Every message a browser may send, checked before anything acts on it: it came from the network. */
const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('control'), id, channel: z.string().max(256), payload: z.unknown() }).strict(),
  z
    .object({ t: z.literal('frame'), id, frame: FrameSchema, options: StylizeOptionsSchema.default({}) })
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
