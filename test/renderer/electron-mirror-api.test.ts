import { describe, expect, it, vi } from 'vitest';
import type { PreloadApi } from '../../common/preload-api.js';
import { ElectronMirrorApi } from '../../renderer/src/api/electron-mirror-api.js';
import { FramePortClient } from '../../renderer/src/api/frame-port-client.js';

function preload(overrides: Partial<PreloadApi>): PreloadApi {
  return overrides as PreloadApi;
}

describe('ElectronMirrorApi', () => {
  it('passes control calls to the preload and returns its Result', async () => {
    const listModels = vi.fn(async () => ({ ok: true as const, value: [] }));
    const api = new ElectronMirrorApi(preload({ listModels }), new FramePortClient());
    expect(await api.listModels()).toEqual({ ok: true, value: [] });
    expect(api.transport).toBe('electron');
  });

  it('turns a rejected IPC call into { ok: false } naming what failed', async () => {
    const api = new ElectronMirrorApi(
      preload({ saveSnapshot: () => Promise.reject(new Error('IPC channel closed')) }),
      new FramePortClient(),
    );
    expect(await api.saveSnapshot(new Uint8Array(4))).toEqual({
      ok: false,
      error: { code: 'call-failed', message: 'Saving the snapshot failed: IPC channel closed' },
    });
  });

  it('hands thumbnails to the preload as Uint8Array RGBA, as the contract validates', async () => {
    const modelThumbnail = vi.fn<PreloadApi['modelThumbnail']>(async (_id, frame) => ({
      ok: true,
      value: frame,
    }));
    const api = new ElectronMirrorApi(preload({ modelThumbnail }), new FramePortClient());
    await api.modelThumbnail('user:mine', {
      data: new Uint8ClampedArray(96 * 72 * 4),
      width: 96,
      height: 72,
      channels: 4,
    });
    const [id, frame] = modelThumbnail.mock.calls[0]!;
    expect(id).toBe('user:mine');
    expect(frame.data).toBeInstanceOf(Uint8Array);
    expect(frame).toMatchObject({ width: 96, height: 72, channels: 4 });
  });
});
