import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '../../common/contract.js';
import { ThumbnailCache } from '../../renderer/src/ui/thumbnail-cache.js';
import { deferred, flush, model } from './fakes.js';

describe('ThumbnailCache', () => {
  it('makes each thumbnail once, however often it is asked for', async () => {
    const render = vi.fn(async (m: ModelInfo) => `blob:${m.id}`);
    const cache = new ThumbnailCache(render);
    const wave = model('wave');
    const [a, b] = await Promise.all([cache.get(wave), cache.get(wave)]);
    expect(await cache.get(wave)).toBe('blob:bundled:wave');
    expect([a, b]).toEqual(['blob:bundled:wave', 'blob:bundled:wave']);
    expect(cache.peek(wave.id)).toBe('blob:bundled:wave');
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('makes thumbnails one at a time', async () => {
    const running: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const cache = new ThumbnailCache((m) => {
      running.push(m.id);
      const gate = deferred<string>();
      gates.set(m.id, gate);
      return gate.promise;
    });
    const first = cache.get(model('wave'));
    const second = cache.get(model('udnie'));
    await flush();
    expect(running).toEqual(['bundled:wave']);
    gates.get('bundled:wave')!.resolve('a');
    await first;
    await flush();
    expect(running).toEqual(['bundled:wave', 'bundled:udnie']);
    gates.get('bundled:udnie')!.resolve('b');
    expect(await second).toBe('b');
  });

  it('tries again next time when a thumbnail could not be made, and survives a failing renderer', async () => {
    const render = vi
      .fn<(m: ModelInfo) => Promise<string | null>>()
      .mockResolvedValueOnce(null)
      .mockRejectedValueOnce(new Error('engine busy'))
      .mockResolvedValueOnce('data:image/png;base64,AAAA');
    const cache = new ThumbnailCache(render);
    const wave = model('wave');
    expect(await cache.get(wave)).toBeNull();
    expect(await cache.get(wave)).toBeNull();
    expect(await cache.get(wave)).toBe('data:image/png;base64,AAAA');
    expect(render).toHaveBeenCalledTimes(3);
  });
});
