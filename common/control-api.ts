/**
 * The page's side of the control channels, derived from the channel table: one named function per
 * channel, taking the channel's request and resolving to a `Result` of its response. The preload
 * exposes exactly this as `window.styleMirror`; `MirrorApi` is this plus the frame path. Zod-free at
 * run time (types only from the contract): the preload and the page both build one.
 */
import {
  CONTROL_CHANNEL_NAMES,
  CONTROL_METHODS,
  type ControlChannel,
  type ControlMethod,
} from './control-channels.js';
import type { ControlRequest, ControlResponse, Result } from './contract.js';

/** One channel's function: the request may be left out when the channel takes none (`{}`). */
export type ControlCall<C extends ControlChannel> =
  ControlRequest<C> extends Record<string, never>
    ? (request?: ControlRequest<C>) => Promise<Result<ControlResponse<C>>>
    : (request: ControlRequest<C>) => Promise<Result<ControlResponse<C>>>;

/** Every control channel as a function named for it (`CONTROL_METHODS`). */
export type ControlApi = { readonly [C in ControlChannel as ControlMethod<C>]: ControlCall<C> };

/** Sends one request on one channel; how (IPC, WebSocket) is the caller's. */
export type ControlTransport = <C extends ControlChannel>(
  channel: C,
  request: ControlRequest<C>,
) => Promise<Result<ControlResponse<C>>>;

/**
 * A {@link ControlApi} whose every function sends its own channel through `send` (a left-out
 * request is sent as `{}`). Frozen: nothing can be added to or swapped in it afterwards.
 */
export function buildControlApi(send: ControlTransport): ControlApi {
  const api: Record<string, (request?: unknown) => Promise<unknown>> = {};
  for (const channel of CONTROL_CHANNEL_NAMES) {
    api[CONTROL_METHODS[channel]] = (request) =>
      send(channel, (request ?? {}) as ControlRequest<ControlChannel>);
  }
  return Object.freeze(api) as unknown as ControlApi;
}
