import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire, type ServerMessage } from '../../common/wire.js';
import {
  FIRST_RECONNECT_DELAY_MS,
  reconnectDelay,
  MAX_RECONNECT_DELAY_MS,
} from '../../renderer/src/api/backoff.js';
import {
  REPLY_DEADLINES_MS,
  WireConnection,
  type WireSocketEvents,
} from '../../renderer/src/api/wire-connection.js';
import { flush, ManualTimers } from './fakes.js';

/** Sockets the test opens, answers and drops by hand. */
class FakeSockets {
  readonly opened: { events: WireSocketEvents; sent: unknown[]; closed: boolean }[] = [];

  readonly open = (events: WireSocketEvents) => {
    const socket = { events, sent: [] as unknown[], closed: false };
    this.opened.push(socket);
    return {
      send: (bytes: Uint8Array) => socket.sent.push(decodeWire(bytes)),
      close: () => {
        socket.closed = true;
      },
    };
  };

  get last() {
    return this.opened.at(-1)!;
  }

  reply(message: ServerMessage): void {
    this.last.events.message(encodeWire(message));
  }
}

describe('WireConnection', () => {
  it('holds requests until the socket opens, then sends them with ids and resolves with their replies', async () => {
    const sockets = new FakeSockets();
    const connection = new WireConnection(sockets.open, new ManualTimers());
    const first = connection.request({ t: 'control', channel: 'models:list', payload: {} });
    const second = connection.request({ t: 'control', channel: 'settings:get', payload: {} });
    expect(sockets.last.sent).toEqual([]);

    sockets.last.events.open();
    expect(sockets.last.sent).toEqual([
      { t: 'control', id: 1, channel: 'models:list', payload: {} },
      { t: 'control', id: 2, channel: 'settings:get', payload: {} },
    ]);
    // Replies in any order find their requests.
    sockets.reply({ t: 'reply', id: 2, ok: true, value: 'settings' });
    sockets.reply({ t: 'reply', id: 1, ok: false, error: { code: 'boom', message: 'no models' } });
    expect(await second).toEqual({ ok: true, value: 'settings' });
    expect(await first).toEqual({ ok: false, error: { code: 'boom', message: 'no models' } });
  });

  it('ignores messages that are not well-formed replies', async () => {
    const sockets = new FakeSockets();
    const connection = new WireConnection(sockets.open, new ManualTimers());
    sockets.last.events.open();
    let settled = false;
    void connection
      .request({ t: 'control', channel: 'models:list', payload: {} })
      .then(() => (settled = true));
    sockets.last.events.message(new Uint8Array([0xc1])); // not MessagePack
    sockets.last.events.message(encodeWire({ t: 'reply', id: 99, ok: true, value: 1 }));
    sockets.last.events.message(encodeWire({ t: 'other', id: 1 } as never));
    await flush();
    expect(settled).toBe(false);
  });

  it('fails every pending request when the socket drops, and reconnects after a backoff', async () => {
    const sockets = new FakeSockets();
    const timers = new ManualTimers();
    const connection = new WireConnection(sockets.open, timers);
    sockets.last.events.open();
    const pending = connection.request({ t: 'control', channel: 'models:list', payload: {} });

    sockets.last.events.close('server went away');
    expect(await pending).toEqual({
      ok: false,
      error: { code: 'disconnected', message: expect.stringContaining('server went away') },
    });
    // Between attempts a request fails at once instead of hanging.
    expect(await connection.request({ t: 'control', channel: 'models:list', payload: {} })).toMatchObject({
      ok: false,
    });

    expect(sockets.opened).toHaveLength(1);
    timers.advance(FIRST_RECONNECT_DELAY_MS);
    expect(sockets.opened).toHaveLength(2);
    sockets.last.events.open();
    expect(connection.connected).toBe(true);
  });

  it('waits longer after each failed attempt, up to a cap, and starts over once connected', () => {
    expect([0, 1, 2, 3, 10].map(reconnectDelay)).toEqual([250, 500, 1000, 2000, MAX_RECONNECT_DELAY_MS]);
    const sockets = new FakeSockets();
    const timers = new ManualTimers();
    new WireConnection(sockets.open, timers);
    sockets.last.events.close('refused');
    timers.advance(250);
    sockets.last.events.close('refused');
    timers.advance(499);
    expect(sockets.opened).toHaveLength(2);
    timers.advance(1);
    expect(sockets.opened).toHaveLength(3);
    sockets.last.events.open();
    sockets.last.events.close('dropped');
    timers.advance(250);
    expect(sockets.opened).toHaveLength(4);
  });

  it('ignores events from a socket it has replaced', async () => {
    const sockets = new FakeSockets();
    const timers = new ManualTimers();
    const connection = new WireConnection(sockets.open, timers);
    const old = sockets.last;
    old.events.close('dropped');
    timers.advance(FIRST_RECONNECT_DELAY_MS);
    old.events.open();
    expect(connection.connected).toBe(false);
    sockets.last.events.open();
    expect(connection.connected).toBe(true);
    old.events.close('late close of the old socket');
    expect(connection.connected).toBe(true);
  });

  it('close() fails pending requests, closes the socket and never reconnects', async () => {
    const sockets = new FakeSockets();
    const timers = new ManualTimers();
    const connection = new WireConnection(sockets.open, timers);
    const pending = connection.request({ t: 'control', channel: 'models:list', payload: {} });
    connection.close();
    expect(await pending).toMatchObject({ ok: false });
    expect(sockets.last.closed).toBe(true);
    timers.advance(60_000);
    expect(sockets.opened).toHaveLength(1);
  });

  it('answers { ok: false } with code timeout when no reply comes in time, frames sooner than control calls', async () => {
    const sockets = new FakeSockets();
    const timers = new ManualTimers();
    const connection = new WireConnection(sockets.open, timers);
    sockets.last.events.open();
    const frame = { data: new Uint8Array(4 * 4 * 4), width: 4, height: 4, channels: 4 as const };
    const painting = connection.request({ t: 'frame', frame, options: {} });
    const loading = connection.request({ t: 'control', channel: 'models:select', payload: { id: 'x' } });

    timers.advance(REPLY_DEADLINES_MS.frame);
    expect(await painting).toEqual({
      ok: false,
      error: {
        code: 'timeout',
        message: `No answer to the frame within ${REPLY_DEADLINES_MS.frame / 1000} s.`,
      },
    });
    let loaded = false;
    void loading.then(() => (loaded = true));
    await flush();
    expect(loaded).toBe(false);
    timers.advance(REPLY_DEADLINES_MS.control - REPLY_DEADLINES_MS.frame);
    expect(await loading).toMatchObject({
      ok: false,
      error: { code: 'timeout', message: /"models:select"/ },
    });
    // The connection itself is fine: the next request is answered.
    const next = connection.request({ t: 'control', channel: 'settings:get', payload: {} });
    sockets.reply({ t: 'reply', id: 3, ok: true, value: 'settings' });
    expect(await next).toEqual({ ok: true, value: 'settings' });
  });
});
