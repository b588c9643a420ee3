/**
 * Browser mode's WebSocket messages. Every message is one binary WebSocket message holding one
 * MessagePack value, which carries pixel buffers (`Uint8Array`) natively: no base64, no second codec.
 *
 * The client sends control requests (the contract's channels) and frames; the server answers each with
 * a reply carrying the same id. Frame replies are the engine's `stylize` result.
 *
 * Browser mode may listen beyond loopback, so what a page sends is bounded here, once: the largest
 * frame, processing size and snapshot a page may send, and the decoder's limits derived from them.
 */
import { Decoder, encode } from '@msgpack/msgpack';
import type { Frame } from './frame.js';
import type { EngineError, StylizeOptions } from './engine-types.js';
import type { ContractError } from './contract.js';
import type { MirrorEvent } from './mirror-events.js';

export type ClientMessage =
  | { readonly t: 'control'; readonly id: number; readonly channel: string; readonly payload: unknown }
  | { readonly t: 'frame'; readonly id: number; readonly frame: Frame; readonly options: StylizeOptions };

export type ServerMessage =
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly t: 'reply';
      readonly id: number;
      readonly ok: false;
      readonly error: ContractError | EngineError;
    };

/** Unasked, from the server: an event for the page (a remote control's verb, settings changed elsewhere). */
export interface ServerEventMessage {
  readonly t: 'event';
  readonly event: MirrorEvent;
}

/** The WebSocket's path on the browser-mode server. */
export const WIRE_PATH = '/ws';
/** Query parameter carrying the access token when the server listens beyond loopback. */
export const TOKEN_PARAM = 'token';

/**
 * The largest frame a page sends: the largest camera capture the page offers (1920x1080), in either
 * orientation. The page sends frames at its processing size, which is smaller still.
 */
export const MAX_PAGE_FRAME = { side: 1920, pixels: 1920 * 1080 } as const;
/** The largest frame's pixels, RGBA. */
export const MAX_PAGE_FRAME_BYTES = MAX_PAGE_FRAME.pixels * 4;
/**
 * The largest processing size a page may ask for, in pixels (the page offers up to 640x480). The
 * network's memory grows with it (32 float channels per pixel in its widest layers: about 40 MB per
 * layer at 640x480, 560 MB at 2100x2100), so browser mode bounds it; a frame without one is processed
 * at most at {@link DEFAULT_PAGE_PROCESSING_BOX}.
 */
export const MAX_PAGE_PROCESSING_PIXELS = 640 * 480;
export const DEFAULT_PAGE_PROCESSING_BOX = { width: 640, height: 480 } as const;
/**
 * The largest snapshot a page may send: a PNG of the largest frame even stored uncompressed (a
 * filter byte per row, zlib's stored blocks and chunk headers come to far less than the margin).
 */
export const MAX_PAGE_SNAPSHOT_BYTES = MAX_PAGE_FRAME_BYTES + 256 * 1024;
/** The largest WebSocket message a page sends: a snapshot (the largest payload) and the message around it. */
export const MAX_CLIENT_MESSAGE_BYTES = MAX_PAGE_SNAPSHOT_BYTES + 4 * 1024;

/**
 * Bounds on one decoded message. MessagePack headers state lengths, and a decoder that believed them
 * would allocate an array of 30 million slots for a 5-byte header: every length is checked before
 * anything is allocated, and nesting is bounded before decoding starts.
 */
export interface WireLimits {
  readonly maxStrLength: number;
  readonly maxBinLength: number;
  readonly maxArrayLength: number;
  readonly maxMapLength: number;
  readonly maxExtLength: number;
  /** Arrays and maps inside each other; the message itself is depth 1. */
  readonly maxDepth: number;
}

/**
 * What the server accepts from a page. The deepest message is a settings patch (message, payload,
 * camera: 3); the only array is an uploaded style's file list (`models:import`: at most the
 * contract's MAX_IMPORT_FILES, 200; a test keeps the two in step, since this module, bundled into the
 * page, must not import the zod contract); the largest string is a setting of at most 4096
 * characters (UTF-8: up to 4 bytes each); nothing uses MessagePack extensions.
 */
export const SERVER_WIRE_LIMITS: WireLimits = {
  maxStrLength: 16 * 1024,
  maxBinLength: MAX_PAGE_SNAPSHOT_BYTES,
  maxArrayLength: 200,
  maxMapLength: 32,
  maxExtLength: 0,
  maxDepth: 8,
};

/**
 * What the page accepts from its server: the model list (two folders of at most 500 models each),
 * a style's painting (at most 20 MiB) or a stylized frame, error texts.
 */
export const PAGE_WIRE_LIMITS: WireLimits = {
  maxStrLength: 1024 * 1024,
  maxBinLength: 32 * 1024 * 1024,
  maxArrayLength: 4096,
  maxMapLength: 256,
  maxExtLength: 0,
  maxDepth: 16,
};

/** A message refused before decoding: nested too deep, claiming more than it holds, or not MessagePack. */
export class WireLimitError extends RangeError {
  override readonly name = 'WireLimitError';
}

export function encodeWire(message: ClientMessage | ServerMessage | ServerEventMessage): Uint8Array {
  // Typed arrays other than Uint8Array would lose their type: frames are always Uint8Array here.
  return encode(message, { ignoreUndefined: true });
}

const decoders = new WeakMap<WireLimits, Decoder>();

/**
 * Decodes one message within `limits`; the caller validates its shape (it came from the network).
 * The server passes {@link SERVER_WIRE_LIMITS}; the default is the page's.
 *
 * @throws {WireLimitError} for nesting beyond the limit or containers that claim more items than
 *   there are bytes; the decoder's own errors for lengths beyond the limits and malformed bytes.
 */
export function decodeWire(bytes: Uint8Array | ArrayBuffer, limits: WireLimits = PAGE_WIRE_LIMITS): unknown {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  checkStructure(view, limits.maxDepth);
  let decoder = decoders.get(limits);
  if (decoder === undefined) {
    const { maxStrLength, maxBinLength, maxArrayLength, maxMapLength, maxExtLength } = limits;
    decoder = new Decoder({ maxStrLength, maxBinLength, maxArrayLength, maxMapLength, maxExtLength });
    decoders.set(limits, decoder);
  }
  return decoder.decode(view);
}

/**
 * Walks the MessagePack headers without decoding anything (@msgpack/msgpack 3.1 has no depth limit,
 * and its decoder keeps one state object per open container: a message of 8 million `0x91` bytes is
 * 8 million states). Refuses nesting deeper than `maxDepth`, and containers that claim more items
 * than bytes remain (every item takes at least one byte): together these bound what decoding
 * allocates by the message's own size. Linear in the number of items; strings and bins are skipped.
 */
function checkStructure(bytes: Uint8Array, maxDepth: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const uint = (size: 1 | 2 | 4): number => {
    if (pos + size > bytes.length) throw cutShort(pos);
    const value = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += size;
    return value;
  };
  // Items still to read in each open container, innermost last; the top level holds one value.
  const open = [1];
  while (open.length > 0) {
    if (open[open.length - 1] === 0) {
      open.pop();
      continue;
    }
    open[open.length - 1]!--;
    if (pos >= bytes.length) throw cutShort(pos);
    const head = bytes[pos++]!;
    let items: number | undefined; // set for a container: how many values follow inside it
    let skip = 0; // bytes of payload to step over
    if (head <= 0x7f || head >= 0xe0 || head === 0xc0 || head === 0xc2 || head === 0xc3) skip = 0;
    else if (head <= 0x8f) items = (head & 0x0f) * 2;
    else if (head <= 0x9f) items = head & 0x0f;
    else if (head <= 0xbf) skip = head & 0x1f;
    else {
      switch (head) {
        case 0xc4: // bin 8
        case 0xd9: // str 8
          skip = uint(1);
          break;
        case 0xc5:
        case 0xda:
          skip = uint(2);
          break;
        case 0xc6:
        case 0xdb:
          skip = uint(4);
          break;
        case 0xc7: // ext: length, then a type byte
          skip = uint(1) + 1;
          break;
        case 0xc8:
          skip = uint(2) + 1;
          break;
        case 0xc9:
          skip = uint(4) + 1;
          break;
        case 0xdc: // array 16, array 32
          items = uint(2);
          break;
        case 0xdd:
          items = uint(4);
          break;
        case 0xde: // map 16, map 32: a key and a value per entry
          items = uint(2) * 2;
          break;
        case 0xdf:
          items = uint(4) * 2;
          break;
        default: {
          const fixed = FIXED_PAYLOAD.get(head);
          if (fixed === undefined) {
            throw new WireLimitError(
              `Not valid MessagePack: byte 0x${head.toString(16)} at ${pos - 1} is no type.`,
            );
          }
          skip = fixed;
        }
      }
    }
    if (items !== undefined) {
      if (open.length > maxDepth) {
        throw new WireLimitError(`Nested deeper than ${maxDepth} arrays and maps.`);
      }
      if (items > bytes.length - pos) {
        throw new WireLimitError(
          `An array or map at byte ${pos} claims ${items} items, but only ${bytes.length - pos} bytes follow.`,
        );
      }
      open.push(items);
    } else {
      if (skip > bytes.length - pos) throw cutShort(bytes.length);
      pos += skip;
    }
  }
}

/** Payload bytes after the type byte for the fixed-size types: numbers and fixext (type byte + data). */
const FIXED_PAYLOAD = new Map<number, number>([
  [0xca, 4],
  [0xcb, 8],
  [0xcc, 1],
  [0xcd, 2],
  [0xce, 4],
  [0xcf, 8],
  [0xd0, 1],
  [0xd1, 2],
  [0xd2, 4],
  [0xd3, 8],
  [0xd4, 2],
  [0xd5, 3],
  [0xd6, 5],
  [0xd7, 9],
  [0xd8, 17],
]);

function cutShort(at: number): WireLimitError {
  return new WireLimitError(`Not valid MessagePack: the message ends early, at byte ${at}.`);
}
