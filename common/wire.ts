/**
 * Browser mode's WebSocket messages. Every message is one binary WebSocket message holding one
 * MessagePack value, which carries pixel buffers (`Uint8Array`) natively: no base64, no second codec.
 *
 * The client sends control requests (the contract's channels) and frames; the server answers each with
 * a reply carrying the same id. Frame replies are the engine's `stylize` result.
 */
import { decode, encode } from '@msgpack/msgpack';
import type { Frame } from './frame.js';
import type { EngineError, StylizeOptions } from './engine-types.js';
import type { ContractError } from './contract.js';

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

/** The WebSocket's path on the browser-mode server. */
export const WIRE_PATH = '/ws';
/** Query parameter carrying the access token when the server listens beyond loopback. */
export const TOKEN_PARAM = 'token';

export function encodeWire(message: ClientMessage | ServerMessage): Uint8Array {
  // Typed arrays other than Uint8Array would lose their type: frames are always Uint8Array here.
  return encode(message, { ignoreUndefined: true });
}

/** Decodes one message; the caller validates its shape (it came from the network). */
export function decodeWire(bytes: Uint8Array | ArrayBuffer): unknown {
  return decode(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
}
