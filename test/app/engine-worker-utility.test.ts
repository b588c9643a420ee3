/**
 * engine-worker.ts as Electron's utilityProcess runs it: with `process.parentPort` (messages wrapped
 * as `{ data, ports }`) instead of a worker thread's port, and frame ports attached by main. The fake
 * ports below behave as Electron's MessagePortMain does as far as the worker can tell.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineReply } from '../../common/engine-protocol.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const UDNIE = path.resolve(REPO_ROOT, '../shared/models/ml5/udnie');

/** Electron's port in the child: `on('message', ({ data, ports }) => ...)` and a one-argument postMessage. */
class FakeElectronPort extends EventEmitter {
  readonly postMessage = vi.fn((_message: unknown) => undefined);
  readonly start = vi.fn();

  /** Delivers `data` (and ports) to the worker, as Electron would. */
  deliver(data: unknown, ports: FakeElectronPort[] = []): void {
    this.emit('message', { data, ports });
  }

  /** The worker's reply to request `id`, once it has come. */
  async reply(id: number): Promise<EngineReply> {
    let found: EngineReply | undefined;
    await vi.waitFor(
      () => {
        found = this.postMessage.mock.calls.map(([m]) => m as EngineReply).find((m) => m.id === id);
        if (found === undefined) throw new Error(`no reply to ${id} yet`);
      },
      { timeout: 60_000, interval: 20 },
    );
    return found!;
  }
}

// In a worker thread the worker would serve that thread's port instead; vitest's default pool is forks.
describe.skipIf(!isMainThread)('engine-worker in a utilityProcess', () => {
  const parent = new FakeElectronPort();
  const frames = new FakeElectronPort();

  beforeAll(async () => {
    (process as { parentPort?: unknown }).parentPort = parent;
    await import('../../main/engine/worker/engine-worker.js');
  });
  afterAll(async () => {
    parent.deliver({ id: 999, method: 'dispose', params: {} });
    await parent.reply(999);
    delete (process as { parentPort?: unknown }).parentPort;
  });

  it('answers engine requests on the parent port', async () => {
    parent.deliver({ id: 1, method: 'status', params: {} });
    expect(await parent.reply(1)).toEqual({ id: 1, ok: true, value: null });
  });

  it('serves an attached frame port with the same engine, and starts it', async () => {
    parent.deliver({ type: 'attach-frame-port' }, [frames]);
    expect(frames.start).toHaveBeenCalledTimes(1);
    // The attach message itself is not an engine request: nothing answers it on the parent port.
    const parentReplies = parent.postMessage.mock.calls.length;

    // A model switch on the parent port, then a frame on the frame port at once: the frame waits for
    // the model (the ports take turns on the one engine) instead of finding none loaded.
    parent.deliver({ id: 2, method: 'loadModel', params: { dir: UDNIE, backend: 'ort' } });
    const frame = { data: new Uint8Array(32 * 32 * 3).fill(128), width: 32, height: 32, channels: 3 };
    frames.deliver({ id: 1, method: 'stylize', params: { frame } });

    const loaded = await parent.reply(2);
    expect(loaded).toMatchObject({ id: 2, ok: true, value: { model: 'udnie' } });
    const stylized = await frames.reply(1);
    expect(stylized).toMatchObject({
      id: 1,
      ok: true,
      value: { frame: { width: 32, height: 32, channels: 3 } },
    });
    expect(parent.postMessage.mock.calls.length).toBe(parentReplies + 1);
  });

  it('the frame port carries frames only: a load, a thumbnail, a status or a dispose on it is forbidden', async () => {
    const somewhere = path.resolve(REPO_ROOT, '..');
    const frame = { data: new Uint8Array(32 * 32 * 3).fill(128), width: 32, height: 32, channels: 3 };
    frames.deliver({ id: 2, method: 'loadModel', params: { dir: somewhere, backend: 'ort' } });
    frames.deliver({ id: 3, method: 'thumbnail', params: { dir: somewhere, frame } });
    frames.deliver({ id: 4, method: 'status', params: {} });
    frames.deliver({ id: 5, method: 'dispose', params: {} });
    for (const id of [2, 3, 4, 5]) {
      expect(await frames.reply(id)).toMatchObject({
        id,
        ok: false,
        error: { kind: 'Forbidden', code: 'forbidden', message: expect.stringContaining('"stylize"') },
      });
    }
    // Nothing changed: the model is still there and frames still work.
    parent.deliver({ id: 4, method: 'status', params: {} });
    expect(await parent.reply(4)).toMatchObject({ ok: true, value: { model: 'udnie' } });
    frames.deliver({ id: 6, method: 'stylize', params: { frame } });
    expect(await frames.reply(6)).toMatchObject({ ok: true });
  });

  it('posts replies with one argument: Electron ports transfer no ArrayBuffers', () => {
    for (const port of [parent, frames]) {
      for (const call of port.postMessage.mock.calls) expect(call).toHaveLength(1);
    }
  });

  it('ignores an attach that carries no port', async () => {
    parent.deliver({ type: 'attach-frame-port' }, []);
    parent.deliver({ id: 5, method: 'status', params: {} });
    expect(await parent.reply(5)).toMatchObject({ id: 5, ok: true, value: { model: 'udnie' } });
  });
});
