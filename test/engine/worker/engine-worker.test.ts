import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadedNetwork } from '../../../main/engine/backends/backend.js';
import { Engine } from '../../../main/engine/engine.js';
import type { Frame } from '../../../common/frame.js';
import { stylizeFrame, type StylizeOptions } from '../../../main/engine/stylize.js';
import type { EngineReply } from '../../../common/engine-protocol.js';
import type { EngineSupervisor } from '../../../main/engine/engine-supervisor.js';
import { EngineTurns, serveEngine, type MessagePortLike } from '../../../main/engine/worker/serve-engine.js';
import { startWorkerEngine } from '../../../main/engine/worker/worker-thread-launcher.js';
import { meanAbsDiff, photoFrame } from '../../support/photos.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
/** A worker thread cannot run TypeScript: the worker is the built one; the supervisor is the source. */
const BUILT_WORKER = path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js');

describe('engine-worker (built, in a supervised worker thread)', () => {
  let client: EngineSupervisor;
  let tempDir: string;
  let frame: Frame;
  /** udnie's output for `frame`, from the first stylize call. */
  let udnieOutput: Uint8Array;

  beforeAll(async () => {
    if (!existsSync(BUILT_WORKER)) {
      throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\` first (\`npm test\` does).`);
    }
    client = startWorkerEngine({ script: pathToFileURL(BUILT_WORKER) });
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-worker-'));
    frame = await photoFrame(48, 32, 3);
  });
  afterAll(async () => {
    await client?.close();
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  });

  it('has no model before one is loaded, and says so when asked to stylize', async () => {
    expect(await client.call('status', {})).toBeNull();
    await expect(client.call('stylize', { frame })).rejects.toThrow(/No style model is loaded/);
  });

  it('loads a model on onnxruntime and reports it in status', async () => {
    const loaded = await client.call('loadModel', { dir: path.join(MODELS, 'udnie'), backend: 'ort' });
    expect(loaded.model).toBe('udnie');
    expect(loaded.backend.kind).toBe('ort');
    expect(typeof loaded.backend.runtime).toBe('string');
    expect(await client.call('status', {})).toEqual(loaded);
  });

  it('stylizes a frame: same size and channels, restyled, with the network timed', async () => {
    const result = await client.call('stylize', { frame });
    expect([result.frame.width, result.frame.height, result.frame.channels]).toEqual([48, 32, 3]);
    expect(result.frame.data).toBeInstanceOf(Uint8Array);
    expect(result.frame.data.length).toBe(48 * 32 * 3);
    expect(result.networkSize).toEqual({ width: 48, height: 32 });
    expect(result.timings.networkMs).toBeGreaterThan(0);
    expect(meanAbsDiff(result.frame.data, frame.data)).toBeGreaterThan(20);
    udnieOutput = Uint8Array.from(result.frame.data);
  });

  it('passes stylize options through (strength 0 is the input, unchanged)', async () => {
    const result = await client.call('stylize', { frame, options: { strength: 0 } });
    expect(result.frame.data).toEqual(frame.data);
    expect(result.timings.networkMs).toBe(0);
  });

  it('takes a frame whose pixels are transferred, not copied', async () => {
    const copy = { ...frame, data: Uint8Array.from(frame.data) };
    const result = await client.call('stylize', { frame: copy }, [copy.data.buffer]);
    // Moved to the worker: the sender's view is detached.
    expect(copy.data.length).toBe(0);
    expect(result.frame.data).toEqual(udnieOutput);
  });

  it('rejects a bad model folder with its ModelError kind and code, keeping the current model', async () => {
    const empty = path.join(tempDir, 'empty-model');
    await mkdir(empty);
    const missing = client.call('loadModel', { dir: empty, backend: 'ort' });
    await expect(missing).rejects.toMatchObject({
      name: 'ModelError',
      kind: 'ModelError',
      code: 'model-missing',
    });
    await expect(missing).rejects.toThrow(/empty-model/);

    const broken = path.join(tempDir, 'broken-model');
    await mkdir(broken);
    await writeFile(path.join(broken, 'manifest.json'), '{ not json');
    await expect(client.call('loadModel', { dir: broken, backend: 'ort' })).rejects.toMatchObject({
      kind: 'ModelError',
      code: 'manifest-invalid',
    });

    await expect(
      client.call('loadModel', { dir: path.join(tempDir, 'no-such-folder'), backend: 'ort' }),
    ).rejects.toMatchObject({ kind: 'ModelError', code: 'not-a-folder' });

    expect((await client.call('status', {}))?.model).toBe('udnie');
    const after = await client.call('stylize', { frame });
    expect(after.frame.data).toEqual(udnieOutput);
  });

  it('rejects a malformed frame with a FrameError, and keeps working', async () => {
    const bad = { ...frame, data: frame.data.subarray(1) };
    await expect(client.call('stylize', { frame: bad })).rejects.toMatchObject({
      kind: 'FrameError',
      message: expect.stringMatching(/needs 4608 bytes, got 4607/),
    });
    await expect(client.call('stylize', { frame, options: { strength: 3 } })).rejects.toMatchObject({
      kind: 'FrameError',
      message: expect.stringMatching(/Strength/),
    });
    const after = await client.call('stylize', { frame });
    expect(after.frame.data).toEqual(udnieOutput);
  });

  it('rejects an unknown method', async () => {
    const call = client.call as (method: string, params: object) => Promise<unknown>;
    await expect(call.call(client, 'explode', {})).rejects.toMatchObject({
      kind: 'Error',
      message: expect.stringMatching(/Unknown engine request "explode"/),
    });
    // Names on an object's prototype are not methods either.
    await expect(call.call(client, 'toString', {})).rejects.toThrow(/Unknown engine request "toString"/);
    expect((await client.call('status', {}))?.model).toBe('udnie');
  });

  it('answers requests in the order they were sent; a model switch lands exactly between two frames', async () => {
    const settled: string[] = [];
    const track = <T>(label: string, promise: Promise<T>): Promise<T> =>
      promise.then(
        (value) => {
          settled.push(label);
          return value;
        },
        (error: unknown) => {
          settled.push(label);
          throw error;
        },
      );
    const before = track('stylize udnie', client.call('stylize', { frame }));
    const status1 = track('status 1', client.call('status', {}));
    const bad = track(
      'bad load',
      client.call('loadModel', { dir: path.join(tempDir, 'nope'), backend: 'ort' }),
    );
    const load = track(
      'load wave',
      client.call('loadModel', { dir: path.join(MODELS, 'wave'), backend: 'ort' }),
    );
    const after = track('stylize wave', client.call('stylize', { frame }));
    const status2 = track('status 2', client.call('status', {}));
    const results = await Promise.allSettled([before, status1, bad, load, after, status2]);

    expect(settled).toEqual([
      'stylize udnie',
      'status 1',
      'bad load',
      'load wave',
      'stylize wave',
      'status 2',
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((await before).frame.data).toEqual(udnieOutput);
    expect((await status1)?.model).toBe('udnie');
    expect((await load).model).toBe('wave');
    const waveOutput = (await after).frame.data;
    expect(meanAbsDiff(waveOutput, udnieOutput)).toBeGreaterThan(5);
    expect((await status2)?.model).toBe('wave');
  });

  it('close() releases the model and ends the worker; later calls reject', async () => {
    await client.close();
    await expect(client.call('status', {})).rejects.toMatchObject({ code: 'engine-stopped' });
  });
});

/** A port for `serveEngine` without a worker: messages go in by `send`, replies collect in `replies`. */
function fakePort(): {
  port: MessagePortLike;
  send: (message: unknown) => void;
  replies: { reply: EngineReply; transfer: ArrayBuffer[] | undefined }[];
  waitFor: (count: number) => Promise<EngineReply[]>;
} {
  let listener: ((message: unknown) => void) | undefined;
  const replies: { reply: EngineReply; transfer: ArrayBuffer[] | undefined }[] = [];
  return {
    port: {
      onMessage: (l) => {
        listener = l;
      },
      postMessage: (message, transfer) => {
        replies.push({ reply: message as EngineReply, transfer });
      },
    },
    send: (message) => {
      if (listener === undefined) throw new Error('serveEngine did not listen on the port');
      listener(message);
    },
    replies,
    waitFor: async (count) => {
      await vi.waitFor(() => expect(replies.length).toBeGreaterThanOrEqual(count), { timeout: 5000 });
      return replies.map((r) => r.reply);
    },
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('serveEngine (no worker)', () => {
  it("hands loadModel's precision to the engine", async () => {
    const loads: unknown[][] = [];
    const fake = {
      async loadModel(...args: unknown[]) {
        loads.push(args);
        return { model: 'fake' };
      },
    };
    const { port, send, waitFor } = fakePort();
    serveEngine(fake as unknown as Engine, port);
    send({ id: 1, method: 'loadModel', params: { dir: 'a', backend: 'ort', precision: 'int8' } });
    send({ id: 2, method: 'loadModel', params: { dir: 'b', backend: 'auto', name: 'B' } });
    await waitFor(2);
    expect(loads).toEqual([
      ['a', 'ort', undefined, 'int8'],
      ['b', 'auto', 'B', undefined],
    ]);
  });

  it('runs requests one at a time, in arrival order, one reply per id', async () => {
    const log: string[] = [];
    const status = { model: 'fake', backend: { kind: 'ort', runtime: 'cpu', device: 'CPU' } };
    const fake = {
      async loadModel(dir: string) {
        log.push(`load ${dir} start`);
        await delay(60);
        log.push(`load ${dir} end`);
        return status;
      },
      get status() {
        log.push('status');
        return status;
      },
      async stylize(frame: Frame) {
        log.push(`stylize ${frame.width} start`);
        await delay(5);
        log.push(`stylize ${frame.width} end`);
        return {
          frame: { ...frame, data: new Uint8Array(frame.data.length) },
          networkSize: { width: frame.width, height: frame.height },
          timings: { prepareMs: 0, networkMs: 1, finishMs: 0, totalMs: 1 },
        };
      },
      async dispose() {
        log.push('dispose');
      },
    };
    const { port, send, waitFor, replies } = fakePort();
    serveEngine(fake as unknown as Engine, port);

    const frame = (width: number): Frame => ({
      data: new Uint8Array(width * 16 * 3),
      width,
      height: 16,
      channels: 3,
    });
    send({ id: 1, method: 'loadModel', params: { dir: 'slow', backend: 'ort' } });
    send({ id: 2, method: 'stylize', params: { frame: frame(16) } });
    send({ id: 3, method: 'status', params: {} });
    send({ id: 4, method: 'loadModel', params: { dir: 'again', backend: 'ort' } });
    send({ id: 5, method: 'stylize', params: { frame: frame(20) } });
    send({ id: 6, method: 'dispose', params: {} });
    const answered = await waitFor(6);

    expect(answered.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(answered.every((r) => r.ok)).toBe(true);
    // The slow load finished before the frame after it started: nothing overlaps.
    expect(log).toEqual([
      'load slow start',
      'load slow end',
      'stylize 16 start',
      'stylize 16 end',
      'status',
      'load again start',
      'load again end',
      'stylize 20 start',
      'stylize 20 end',
      'dispose',
    ]);
    expect(answered[0]).toEqual({ id: 1, ok: true, value: status });
    expect(answered[2]).toEqual({ id: 3, ok: true, value: status });
    expect(answered[5]).toEqual({ id: 6, ok: true, value: null });

    // Stylized pixels are handed over as a transfer, other replies transfer nothing.
    const stylized = replies[1]!;
    expect(stylized.reply.ok).toBe(true);
    const value = (stylized.reply as { value: { frame: Frame } }).value;
    expect(stylized.transfer).toEqual([value.frame.data.buffer]);
    expect(replies[0]!.transfer).toEqual([]);
  });

  it('answers failures as plain { ok: false, error } data with kind and code, and goes on serving', async () => {
    const { port, send, waitFor } = fakePort();
    serveEngine(new Engine(), port);

    const dir = path.join(os.tmpdir(), `stylemirror-no-such-model-${process.pid}`);
    send({ id: 10, method: 'loadModel', params: { dir, backend: 'ort' } });
    send({
      id: 11,
      method: 'stylize',
      params: { frame: { data: new Uint8Array(16 * 16 * 3), width: 16, height: 16, channels: 3 } },
    });
    send({ id: 12, method: 'frobnicate', params: {} });
    send({ id: 13, method: 'hasOwnProperty', params: {} });
    send(null);
    send('hello');
    send({ id: 14, method: 'status', params: {} });
    const answered = await waitFor(7);

    expect(answered.map((r) => r.id)).toEqual([10, 11, 12, 13, -1, -1, 14]);
    const [load, stylize, unknown, inherited, fromNull, fromString, status] = answered as [
      EngineReply,
      EngineReply,
      EngineReply,
      EngineReply,
      EngineReply,
      EngineReply,
      EngineReply,
    ];
    expect(load).toEqual({
      id: 10,
      ok: false,
      error: { kind: 'ModelError', code: 'not-a-folder', message: expect.stringContaining(dir) },
    });
    expect(stylize).toEqual({
      id: 11,
      ok: false,
      error: { kind: 'Error', message: expect.stringMatching(/No style model is loaded/) },
    });
    expect(unknown).toEqual({
      id: 12,
      ok: false,
      error: { kind: 'Error', message: 'Unknown engine request "frobnicate".' },
    });
    expect(inherited).toMatchObject({ id: 13, ok: false, error: { kind: 'Error' } });
    expect(fromNull).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/Unknown engine request/) },
    });
    expect(fromString).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/Unknown engine request/) },
    });
    expect(status).toEqual({ id: 14, ok: true, value: null });
    // Replies are data, never thrown objects: they survive a structured clone unchanged.
    for (const reply of answered) expect(structuredClone(reply)).toEqual(reply);
  });

  it('reports a FrameError from the engine as kind FrameError, with no code', async () => {
    const { port, send, waitFor } = fakePort();
    const network: LoadedNetwork = {
      info: { kind: 'ort', runtime: 'cpu', device: 'CPU', precision: 'fp32', precisionReason: 'test' },
      run: () => Promise.reject(new Error('the network must not run for a malformed frame')),
      dispose: async () => undefined,
    };
    const fake = {
      stylize: (frame: Frame, options?: StylizeOptions) => stylizeFrame(network, frame, options),
    };
    serveEngine(fake as unknown as Engine, port);
    send({
      id: 1,
      method: 'stylize',
      params: { frame: { data: new Uint8Array(10), width: 16, height: 16, channels: 3 } },
    });
    send({ id: 2, method: 'stylize', params: {} });
    const [bad, missing] = (await waitFor(2)) as [EngineReply, EngineReply];
    expect(bad).toEqual({
      id: 1,
      ok: false,
      error: { kind: 'FrameError', message: expect.stringMatching(/needs 768 bytes, got 10/) },
    });
    expect(missing).toMatchObject({ id: 2, ok: false, error: { kind: 'FrameError' } });
  });
});

describe('serveEngine on a frame port (allow: stylize)', () => {
  const frame: Frame = { data: new Uint8Array(16 * 16 * 3), width: 16, height: 16, channels: 3 };
  const stylized = {
    frame,
    networkSize: { width: 16, height: 16 },
    timings: { prepareMs: 0, networkMs: 1, finishMs: 0, totalMs: 1 },
  };

  it('answers stylize, and anything else with code forbidden, without the engine ever seeing it', async () => {
    const touched: string[] = [];
    const fake = {
      loadModel: async () => touched.push('loadModel'),
      thumbnail: async () => touched.push('thumbnail'),
      dispose: async () => touched.push('dispose'),
      get status() {
        touched.push('status');
        return null;
      },
      stylize: async () => {
        touched.push('stylize');
        return stylized;
      },
    };
    const { port, send, waitFor } = fakePort();
    serveEngine(fake as unknown as Engine, port, { allow: ['stylize'] });

    send({ id: 1, method: 'loadModel', params: { dir: '/etc', backend: 'ort' } });
    send({ id: 2, method: 'thumbnail', params: { dir: os.homedir(), frame } });
    send({ id: 3, method: 'dispose', params: {} });
    send({ id: 4, method: 'status', params: {} });
    send({ id: 5, method: 'explode', params: {} });
    send({ id: 6, method: 'toString', params: {} });
    send({ id: 7 });
    send({ id: 8, method: 'stylize', params: { frame } });
    const answered = await waitFor(8);

    expect(touched).toEqual(['stylize']);
    expect(answered.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(answered[0]).toEqual({
      id: 1,
      ok: false,
      error: {
        kind: 'Forbidden',
        code: 'forbidden',
        message: '"loadModel" is not allowed on this port; it carries only "stylize".',
      },
    });
    for (const reply of answered.slice(0, 7)) {
      expect(reply).toMatchObject({ ok: false, error: { kind: 'Forbidden', code: 'forbidden' } });
    }
    expect(answered[6]).toMatchObject({
      error: { message: /^A request without a method name is not allowed/ },
    });
    expect(answered[7]).toEqual({ id: 8, ok: true, value: stylized });
  });

  it('shares one turn with the other ports: a status waits for a frame still running, so a frame stuck for good holds it too', async () => {
    let finishFrame: ((value: typeof stylized) => void) | undefined;
    const fake = {
      stylize: () => new Promise((resolve) => (finishFrame = resolve)),
      status: { model: 'udnie', backend: { kind: 'ort', runtime: 'cpu', device: 'CPU' } },
    };
    const turns = new EngineTurns();
    const frames = fakePort();
    const parent = fakePort();
    serveEngine(fake as unknown as Engine, frames.port, { turns, allow: ['stylize'] });
    serveEngine(fake as unknown as Engine, parent.port, { turns });

    frames.send({ id: 1, method: 'stylize', params: { frame } });
    parent.send({ id: 1, method: 'status', params: {} });
    await vi.waitFor(() => expect(finishFrame).toBeDefined());
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(parent.replies).toHaveLength(0);

    finishFrame!(stylized);
    expect(await parent.waitFor(1)).toEqual([{ id: 1, ok: true, value: fake.status }]);
    expect(await frames.waitFor(1)).toEqual([{ id: 1, ok: true, value: stylized }]);
  });
});
