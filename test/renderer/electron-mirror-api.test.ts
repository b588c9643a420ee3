import { describe, expect, it, vi } from 'vitest';
import { CONTROL_METHODS } from '../../common/control-channels.js';
import type { PreloadApi } from '../../common/preload-api.js';
import { electronMirrorApi } from '../../renderer/src/api/electron-mirror-api.js';
import { FramePortClient } from '../../renderer/src/api/frame-port-client.js';

function preload(overrides: Partial<PreloadApi>): PreloadApi {
  return overrides as PreloadApi;
}

describe('electronMirrorApi', () => {
  it('passes every control call to the preload function of the same name, with its request', async () => {
    const calls: [string, unknown][] = [];
    const fake = Object.fromEntries(
      Object.values(CONTROL_METHODS).map((method) => [
        method,
        async (request: unknown) => {
          calls.push([method, request]);
          return { ok: true, value: method };
        },
      ]),
    ) as unknown as PreloadApi;
    const api = electronMirrorApi(fake, new FramePortClient());
    expect(api.transport).toBe('electron');
    expect(await api.listModels()).toEqual({ ok: true, value: 'listModels' });
    expect(await api.selectModel({ id: 'user:mine' })).toEqual({ ok: true, value: 'selectModel' });
    expect(calls).toEqual([
      ['listModels', {}],
      ['selectModel', { id: 'user:mine' }],
    ]);
  });

  it('turns a rejected IPC call into { ok: false } naming the channel', async () => {
    const api = electronMirrorApi(
      preload({ saveSnapshot: vi.fn(() => Promise.reject(new Error('IPC channel closed'))) }),
      new FramePortClient(),
    );
    expect(await api.saveSnapshot({ png: new Uint8Array(4) })).toEqual({
      ok: false,
      error: { code: 'call-failed', message: "The app's snapshot:save call failed: IPC channel closed" },
    });
  });

  it('sends frames on the frame port, not through the preload', async () => {
    const frames = new FramePortClient();
    const stylize = vi.spyOn(frames, 'stylize').mockResolvedValue({
      ok: false,
      error: { kind: 'Unavailable', message: 'no port yet' },
    });
    const api = electronMirrorApi(preload({}), frames);
    const frame = { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16, channels: 4 as const };
    expect(await api.stylize(frame, {})).toMatchObject({ ok: false, error: { kind: 'Unavailable' } });
    expect(stylize).toHaveBeenCalledWith(frame, {});
  });
});
