import { buildControlApi } from '../../../common/control-api.js';
import type { ControlChannel, ControlRequest, ControlResponse, Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { Frame } from '../../../common/frame.js';
import type { EngineError, StylizeOptions, StylizeResult } from '../../../common/engine-types.js';
import { asByteFrame } from './frame-data.js';
import type { WireConnection } from './wire-connection.js';

/**
 * MirrorApi over browser mode's WebSocket (MessagePack messages, `common/wire.ts`). Every
 * call resolves to a Result: a dropped connection answers `{ ok: false }` rather than rejecting.
 */
export function webSocketMirrorApi(connection: WireConnection): MirrorApi {
  /** The server validates every request; replies are trusted to match the contract's response type. */
  async function control<C extends ControlChannel>(
    channel: C,
    payload: ControlRequest<C>,
  ): Promise<Result<ControlResponse<C>>> {
    const reply = await connection.request({ t: 'control', channel, payload });
    if (reply.ok) return { ok: true, value: reply.value as ControlResponse<C> };
    const { code, kind, message } = reply.error;
    return { ok: false, error: { code: code ?? kind ?? 'error', message } };
  }

  async function stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>> {
    const reply = await connection.request({ t: 'frame', frame: asByteFrame(frame), options });
    if (reply.ok) return { ok: true, value: reply.value as StylizeResult };
    const { kind, code, message } = reply.error;
    return {
      ok: false,
      error: { kind: kind ?? code ?? 'Error', ...(code === undefined ? {} : { code }), message },
    };
  }

  return {
    ...buildControlApi(control),
    transport: 'browser',
    stylize,
    onEvent: (listener) => connection.onEvent(listener),
  };
}
