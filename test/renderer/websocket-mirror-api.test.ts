import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../common/wire.js';
import { webSocketMirrorApi } from '../../renderer/src/api/websocket-mirror-api.js';
import { closeReason, wireUrl } from '../../renderer/src/api/wire-url.js';
import { WireConnection, type WireSocketEvents } from '../../renderer/src/api/wire-connection.js';
import { flush, ManualTimers } from './fakes.js';

/** An API over a fake socket that is already open; `sent` holds the decoded messages. */
function openApi() {
  let events!: WireSocketEvents;
  const sent: Record<string, unknown>[] = [];
  const connection = new WireConnection((e) => {
    events = e;
    return {
      send: (bytes) => sent.push(decodeWire(bytes) as Record<string, unknown>),
      close: () => undefined,
    };
  }, new ManualTimers());
  events.open();
  const reply = (message: object) => events.message(encodeWire(message as never));
  return { api: webSocketMirrorApi(connection), sent, reply, events };
}

describe('WebSocketMirrorApi', () => {
  it('sends control calls on their contract channel and returns the reply’s value', async () => {
    const { api, sent, reply } = openApi();
    const call = api.selectModel({ id: 'bundled:wave' });
    expect(sent[0]).toEqual({
      t: 'control',
      id: 1,
      channel: 'models:select',
      payload: { id: 'bundled:wave' },
    });
    const status = {
      model: 'Wave',
      modelId: 'bundled:wave',
      backend: { kind: 'ort', runtime: 'cpu', device: 'CPU' },
    };
    reply({ t: 'reply', id: 1, ok: true, value: status });
    expect(await call).toEqual({ ok: true, value: status });
  });

  it('sends frames as binary pixels with their options, and reads the stylized result back', async () => {
    const { api, sent, reply } = openApi();
    const data = new Uint8ClampedArray(16 * 16 * 4).fill(9);
    const call = api.stylize(
      { data, width: 16, height: 16, channels: 4 },
      { strength: 0.5, preserveColors: true },
    );
    const message = sent[0] as { t: string; frame: { data: unknown; width: number }; options: unknown };
    expect(message.t).toBe('frame');
    // Uint8Array on the wire: MessagePack "bin", which the server's validator accepts.
    expect(message.frame.data).toBeInstanceOf(Uint8Array);
    expect((message.frame.data as Uint8Array).length).toBe(16 * 16 * 4);
    expect(message.options).toEqual({ strength: 0.5, preserveColors: true });

    const result = {
      frame: { data: new Uint8Array(1024), width: 16, height: 16, channels: 4 },
      timings: { totalMs: 12 },
    };
    reply({ t: 'reply', id: 1, ok: true, value: result });
    const answer = await call;
    expect(answer.ok && answer.value.timings.totalMs).toBe(12);
  });

  it('turns a server error into the engine protocol’s error shape', async () => {
    const { api, reply } = openApi();
    const call = api.stylize({ data: new Uint8Array(1024), width: 16, height: 16, channels: 4 }, {});
    reply({ t: 'reply', id: 1, ok: false, error: { kind: 'Busy', code: 'busy', message: 'frame dropped' } });
    expect(await call).toEqual({
      ok: false,
      error: { kind: 'Busy', code: 'busy', message: 'frame dropped' },
    });
  });

  it('resolves { ok: false } for calls pending when the connection drops', async () => {
    const { api, events } = openApi();
    const call = api.listModels();
    events.close('gone');
    await flush();
    expect(await call).toMatchObject({ ok: false, error: { code: 'disconnected' } });
  });

  it('sends snapshots and thumbnails as plain Uint8Array bytes', async () => {
    const { api, sent } = openApi();
    void api.saveSnapshot({ png: new Uint8Array([137, 80, 78, 71]) });
    void api.modelThumbnail({
      id: 'bundled:wave',
      frame: { data: new Uint8Array(96 * 72 * 4), width: 96, height: 72, channels: 4 },
    });
    expect(sent[0]).toEqual({
      t: 'control',
      id: 1,
      channel: 'snapshot:save',
      payload: { png: new Uint8Array([137, 80, 78, 71]) },
    });
    const thumbnail = sent[1] as { payload: { id: string; frame: { data: unknown; channels: number } } };
    expect(thumbnail.payload.id).toBe('bundled:wave');
    expect(thumbnail.payload.frame.data).toBeInstanceOf(Uint8Array);
    expect(thumbnail.payload.frame.channels).toBe(4);
  });
});

describe('wire address', () => {
  it('connects to /ws on the page’s own host, with the page’s token', () => {
    expect(wireUrl({ protocol: 'http:', host: '127.0.0.1:8080', search: '' })).toBe('ws://127.0.0.1:8080/ws');
    expect(wireUrl({ protocol: 'https:', host: 'mirror.local', search: '?token=a%2Bb&x=1' })).toBe(
      'wss://mirror.local/ws?token=a%2Bb',
    );
  });

  it('says why the socket closed in words', () => {
    expect(closeReason(1006, '')).toBe('the connection was lost');
    expect(closeReason(1008, 'bad token')).toBe('bad token');
    expect(closeReason(1011, '')).toBe('the server closed the connection (code 1011)');
  });
});
