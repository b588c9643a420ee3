import { describe, expect, it } from 'vitest';
import type { EngineRequest } from '../../common/engine-protocol.js';
import {
  FRAME_DEADLINE_MS,
  FramePortClient,
  type FramePort,
} from '../../renderer/src/api/frame-port-client.js';
import { flush, ManualTimers } from './fakes.js';

class FakePort implements FramePort {
  readonly posted: { request: EngineRequest<'stylize'>; transfer: ArrayBuffer[] }[] = [];
  onReply: ((data: unknown) => void) | undefined;
  closed = false;
  failPost = false;

  postMessage(request: EngineRequest<'stylize'>, transfer: ArrayBuffer[]): void {
    if (this.failPost) throw new Error('port is closed');
    this.posted.push({ request, transfer });
  }

  listen(onReply: (data: unknown) => void): void {
    this.onReply = onReply;
  }

  close(): void {
    this.closed = true;
  }
}

const frame = () => ({
  data: new Uint8ClampedArray(16 * 16 * 4),
  width: 16,
  height: 16,
  channels: 4 as const,
});
const result = {
  frame: { data: new Uint8Array(1024), width: 16, height: 16, channels: 4 },
  timings: { totalMs: 5 },
};

describe('FramePortClient', () => {
  it('answers { ok: false } before the engine’s port has arrived', async () => {
    const client = new FramePortClient();
    expect(await client.stylize(frame(), {})).toMatchObject({
      ok: false,
      error: { kind: 'EngineUnavailable' },
    });
  });

  it('sends frames in the engine protocol, moving the pixel buffer, and matches replies by id', async () => {
    const client = new FramePortClient();
    const port = new FakePort();
    client.attach(port);
    const input = frame();
    const first = client.stylize(input, { strength: 0.8 });
    const second = client.stylize(frame(), {});
    const posted = port.posted[0]!;
    expect(posted.request).toMatchObject({
      id: 1,
      method: 'stylize',
      params: { options: { strength: 0.8 } },
    });
    expect(posted.request.params.frame.data).toBeInstanceOf(Uint8Array);
    expect(posted.transfer).toEqual([input.data.buffer]);

    port.onReply!({ id: 2, ok: false, error: { kind: 'FrameError', message: 'bad frame' } });
    port.onReply!({ id: 1, ok: true, value: result });
    expect(await first).toEqual({ ok: true, value: result });
    expect(await second).toEqual({ ok: false, error: { kind: 'FrameError', message: 'bad frame' } });
  });

  it('fails frames pending on the old port when a new one arrives, and ignores the old one after', async () => {
    const client = new FramePortClient();
    const old = new FakePort();
    client.attach(old);
    const lost = client.stylize(frame(), {});
    const fresh = new FakePort();
    client.attach(fresh);
    expect(await lost).toMatchObject({ ok: false, error: { kind: 'EngineRestarted' } });
    expect(old.closed).toBe(true);

    const next = client.stylize(frame(), {});
    expect(fresh.posted).toHaveLength(1);
    const id = fresh.posted[0]!.request.id;
    old.onReply!({ id, ok: true, value: 'from the old engine' });
    fresh.onReply!({ id, ok: true, value: result });
    expect(await next).toEqual({ ok: true, value: result });
  });

  it('answers { ok: false } when a frame cannot be posted', async () => {
    const client = new FramePortClient();
    const port = new FakePort();
    port.failPost = true;
    client.attach(port);
    expect(await client.stylize(frame(), {})).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('port is closed') },
    });
  });

  it('fails a frame the engine does not answer within the deadline, counted from the frame before it', async () => {
    const timers = new ManualTimers();
    const client = new FramePortClient(timers);
    const port = new FakePort();
    client.attach(port);
    const first = client.stylize(frame(), {});
    const second = client.stylize(frame(), {});
    let secondSettled = false;
    void second.then(() => (secondSettled = true));

    timers.advance(FRAME_DEADLINE_MS - 1);
    port.onReply!({ id: port.posted[0]!.request.id, ok: true, value: result });
    expect(await first).toEqual({ ok: true, value: result });
    // The second frame's clock started when the engine got to it, just now.
    timers.advance(FRAME_DEADLINE_MS - 1);
    await flush();
    expect(secondSettled).toBe(false);
    timers.advance(1);
    expect(await second).toEqual({
      ok: false,
      error: {
        kind: 'RequestError',
        code: 'timeout',
        message: `No answer to this frame within ${FRAME_DEADLINE_MS / 1000} s.`,
      },
    });
    // A reply that comes after all changes nothing, and the next frame goes through.
    port.onReply!({ id: port.posted[1]!.request.id, ok: true, value: result });
    const third = client.stylize(frame(), {});
    port.onReply!({ id: port.posted[2]!.request.id, ok: true, value: result });
    expect(await third).toEqual({ ok: true, value: result });
  });
});
