import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadedNetwork } from '../../../main/engine/backends/backend.js';
import { openNetwork } from '../../../main/engine/backends/select-backend.js';
import { Engine, MAX_THUMBNAIL_SIDE } from '../../../main/engine/engine.js';
import type { Frame } from '../../../common/frame.js';
import type { EngineReply } from '../../../common/engine-protocol.js';
import { serveEngine } from '../../../main/engine/worker/serve-engine.js';
import { meanAbsDiff, photoFrame } from '../../support/photos.js';

// The real openNetwork, wrapped so one test can hand out a network that fails mid-run.
vi.mock('../../../main/engine/backends/select-backend.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../main/engine/backends/select-backend.js')>();
  return { ...real, openNetwork: vi.fn(real.openNetwork) };
});

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

describe('Engine.thumbnail', () => {
  const engine = new Engine();
  let frame: Frame;

  beforeAll(async () => {
    frame = await photoFrame(40, 32, 4);
  });
  afterAll(() => engine.dispose());

  it('stylizes with another model at full strength, leaving the current model exactly as it was', async () => {
    await engine.loadModel(path.join(MODELS, 'udnie'), 'ort');
    const statusBefore = engine.status;
    const udnie = (await engine.stylize(frame)).frame;

    const thumb = await engine.thumbnail(path.join(MODELS, 'wave'), frame);
    expect([thumb.width, thumb.height, thumb.channels]).toEqual([40, 32, 4]);
    expect(meanAbsDiff(thumb.data, frame.data)).toBeGreaterThan(20);
    // Alpha is carried over from the input.
    for (let i = 3; i < thumb.data.length; i += 4) expect(thumb.data[i]).toBe(255);

    // The same as wave made current and run at full strength.
    const reference = new Engine();
    await reference.loadModel(path.join(MODELS, 'wave'), 'ort');
    expect(thumb.data).toEqual((await reference.stylize(frame, { strength: 1 })).frame.data);
    await reference.dispose();

    expect(engine.status).toEqual(statusBefore);
    expect((await engine.stylize(frame)).frame.data).toEqual(udnie.data);
  });

  it('uses the current backend kind, or onnxruntime before any model is loaded', async () => {
    const calls = vi.mocked(openNetwork).mock.calls;
    const before = calls.length;
    await engine.thumbnail(path.join(MODELS, 'wave'), frame);
    expect(calls[before]?.[1]).toBe('ort');

    const fresh = new Engine();
    expect(fresh.status).toBeUndefined();
    const thumb = await fresh.thumbnail(path.join(MODELS, 'wave'), frame);
    expect(calls[before + 1]?.[1]).toBe('ort');
    expect(thumb.width).toBe(40);
    // A thumbnail never makes a model current.
    expect(fresh.status).toBeUndefined();
    await expect(fresh.stylize(frame)).rejects.toThrow(/No style model is loaded/);
  });

  it('on tfjs, runs the thumbnail on tfjs too and leaves no tensor behind', async () => {
    const onTfjs = new Engine();
    await onTfjs.loadModel(path.join(MODELS, 'udnie'), 'tfjs');
    const before = tf.memory().numTensors;
    const calls = vi.mocked(openNetwork).mock.calls;
    const count = calls.length;
    const thumb = await onTfjs.thumbnail(path.join(MODELS, 'wave'), frame);
    expect(calls[count]?.[1]).toBe('tfjs');
    expect(meanAbsDiff(thumb.data, frame.data)).toBeGreaterThan(20);
    expect(tf.memory().numTensors).toBe(before);
    await onTfjs.dispose();
  });

  it('rejects a bad model folder with its ModelError and keeps the current model', async () => {
    const before = (await engine.stylize(frame)).frame.data;
    await expect(
      engine.thumbnail(path.join(MODELS, 'no_such_model'), frame, 'No Such'),
    ).rejects.toMatchObject({
      name: 'ModelError',
      code: 'not-a-folder',
      message: expect.stringContaining('"No Such"'),
    });
    expect(engine.status?.model).toBe('udnie');
    expect((await engine.stylize(frame)).frame.data).toEqual(before);
  });

  it('refuses a malformed or too large frame before loading anything', async () => {
    const calls = vi.mocked(openNetwork).mock.calls.length;
    const big = { data: new Uint8Array(600 * 20 * 4), width: 600, height: 20, channels: 4 as const };
    await expect(engine.thumbnail(path.join(MODELS, 'wave'), big)).rejects.toMatchObject({
      name: 'FrameError',
      message: `Thumbnail frame must be at most ${MAX_THUMBNAIL_SIDE} pixels a side, got 600x20.`,
    });
    const short = { ...frame, data: frame.data.subarray(4) };
    await expect(engine.thumbnail(path.join(MODELS, 'wave'), short)).rejects.toThrow(
      /Thumbnail frame of 40x32/,
    );
    expect(vi.mocked(openNetwork).mock.calls.length).toBe(calls);
  });

  it('releases the temporary network even when stylizing fails', async () => {
    const dispose = vi.fn(async () => undefined);
    const failing: LoadedNetwork = {
      info: { kind: 'ort', runtime: 'cpu', device: 'CPU', precision: 'fp32', precisionReason: 'test' },
      run: () => Promise.reject(new Error('the GPU went away')),
      dispose,
    };
    vi.mocked(openNetwork).mockResolvedValueOnce(failing);
    await expect(engine.thumbnail(path.join(MODELS, 'wave'), frame)).rejects.toThrow('the GPU went away');
    expect(dispose).toHaveBeenCalledOnce();
    expect(engine.status?.model).toBe('udnie');
  });

  it('is served on the worker protocol, with the pixels transferred', async () => {
    const replies: { reply: EngineReply; transfer: ArrayBuffer[] | undefined }[] = [];
    let listener: ((message: unknown) => void) | undefined;
    serveEngine(engine, {
      onMessage: (l) => {
        listener = l;
      },
      postMessage: (reply, transfer) => replies.push({ reply: reply as EngineReply, transfer }),
    });
    listener!({
      id: 1,
      method: 'thumbnail',
      params: { dir: path.join(MODELS, 'wave'), frame, name: 'Wave' },
    });
    listener!({
      id: 2,
      method: 'thumbnail',
      params: { dir: path.join(MODELS, 'nope'), frame, name: 'Nope' },
    });
    await vi.waitFor(() => expect(replies).toHaveLength(2), { timeout: 60_000 });

    const [ok, bad] = replies as [(typeof replies)[0], (typeof replies)[0]];
    expect(ok.reply.ok).toBe(true);
    const thumb = (ok.reply as { value: Frame }).value;
    expect([thumb.width, thumb.height, thumb.channels]).toEqual([40, 32, 4]);
    expect(ok.transfer).toEqual([thumb.data.buffer]);
    expect(bad.reply).toMatchObject({
      id: 2,
      ok: false,
      error: { kind: 'ModelError', code: 'not-a-folder' },
    });
    expect(bad.transfer).toEqual([]);
  });
});
