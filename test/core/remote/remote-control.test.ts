/**
 * The remote control's listeners, for real: HTTP and OSC on loopback ports, a settings file in a
 * temporary folder, and the page hub the servers attach pages to (pages here are the hub's own
 * push functions, recording what they are sent).
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'node-osc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MirrorEvent } from '../../../common/mirror-events.js';
import { JsonFileSettingsStore } from '../../../main/core/settings/settings-file-store.js';
import { PageHub } from '../../../main/core/remote/page-hub.js';
import { RemoteControl, watchRemoteSettings } from '../../../main/core/remote/remote-control.js';
import { createRemoteVerbs } from '../../../main/core/remote/remote-verbs.js';
import { LastError, statusDocument } from '../../../main/core/remote/status-document.js';
import { MAX_CONTROL_BODY_BYTES } from '../../../main/core/remote/control-http.js';
import type { SettingsStore } from '../../../main/core/settings/settings-store.js';

const STYLES = ['user:udnie', 'user:wave'];

let temp: string;
let settingsFile: string;
let pages: PageHub;
let remote: RemoteControl;
let logged: string[];

async function start(host = '127.0.0.1'): Promise<SettingsStore> {
  const settings = watchRemoteSettings(new JsonFileSettingsStore(settingsFile), (next) => {
    void remote.configure({ host, httpPort: next.remote.httpPort, oscPort: next.remote.oscPort });
  });
  const lastError = new LastError();
  lastError.note('the engine hung');
  remote = new RemoteControl({
    run: createRemoteVerbs({ settings, pages, styleIds: async () => STYLES }),
    status: () =>
      statusDocument(
        {
          startedAt: Date.now() - 5000,
          engineStatus: async () => ({
            model: 'Udnie',
            backend: { kind: 'ort', runtime: 'onnxruntime-node', device: 'cpu' },
          }),
          processMemory: async () => [{ process: 'server', pid: process.pid, residentBytes: 1234 }],
          lastError: () => lastError.get(),
        },
        pages,
      ),
    log: (line) => logged.push(line),
  });
  await remote.configure({ host, httpPort: 0, oscPort: 0 });
  return settings;
}

/** A page attached to the hub, keeping what it is sent. */
function attachPage(id = 'page-1'): MirrorEvent[] {
  const events: MirrorEvent[] = [];
  pages.attach(id, (event) => {
    events.push(event);
    return true;
  });
  return events;
}

function api(route: string): string {
  return `${remote.httpListener!.url}${route}`;
}

async function send(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{
  status: number;
  json: { ok?: boolean; error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  const response = await fetch(api(route), {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as never };
}

beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-remote-'));
  settingsFile = path.join(temp, 'settings.json');
  pages = new PageHub();
  logged = [];
});

afterEach(async () => {
  await remote?.close();
  await rm(temp, { recursive: true, force: true });
});

describe('remote control over HTTP', () => {
  it('answers the status document, merging the freshest page report', async () => {
    await start();
    attachPage();
    pages.report('page-1', {
      displayedFps: 12,
      newestFrameAgeMs: 40,
      currentModelId: 'user:wave',
      resting: false,
      cameraError: null,
    });
    const { status, json } = await send('GET', '/status', undefined, {});
    expect(status).toBe(200);
    expect(json).toMatchObject({
      pages: { connected: 1, reporting: 1 },
      displayedFps: 12,
      style: 'user:wave',
      engine: { backend: 'ort', device: 'cpu', model: 'Udnie' },
      engineRestarts: 0,
      memory: [{ process: 'server', residentBytes: 1234 }],
      lastError: { message: 'the engine hung' },
    });
    expect(json['uptimeSeconds']).toBeGreaterThanOrEqual(5);
    expect(json['newestFrameAgeMs']).toBeGreaterThanOrEqual(40);
  });

  it('changes the strength in the settings file and tells every page', async () => {
    await start();
    const events = attachPage();
    const { status, json } = await send('PUT', '/strength', { value: 0.25 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, verb: 'strength', pages: 1 });
    expect(JSON.parse(await readFile(settingsFile, 'utf8')).strength).toBe(0.25);
    expect(events).toEqual([{ kind: 'settings', settings: expect.objectContaining({ strength: 0.25 }) }]);
  });

  it('sets kiosk and cycle as settings, null stopping the cycle', async () => {
    await start();
    expect((await send('PUT', '/kiosk', { on: true })).status).toBe(200);
    expect((await send('PUT', '/cycle', { seconds: 30 })).status).toBe(200);
    let saved = JSON.parse(await readFile(settingsFile, 'utf8'));
    expect(saved.kiosk.enabled).toBe(true);
    expect(saved.cycle.seconds).toBe(30);
    expect((await send('PUT', '/cycle', { seconds: null })).status).toBe(200);
    saved = JSON.parse(await readFile(settingsFile, 'utf8'));
    expect(saved.cycle.seconds).toBeNull();
  });

  it('sends style and snapshot verbs to the pages as commands', async () => {
    await start();
    const events = attachPage();
    expect((await send('POST', '/style/next')).status).toBe(202);
    expect((await send('POST', '/style/previous')).status).toBe(202);
    expect((await send('PUT', '/style', { id: 'user:wave' })).status).toBe(202);
    expect((await send('POST', '/snapshot')).status).toBe(202);
    expect(events.map((e) => (e.kind === 'command' ? e.command : e.kind))).toEqual([
      { verb: 'style-next' },
      { verb: 'style-previous' },
      { verb: 'select-style', id: 'user:wave' },
      { verb: 'snapshot' },
    ]);
  });

  it('refuses a command when no page is open, and an unknown style, saying so', async () => {
    await start();
    const none = await send('POST', '/style/next');
    expect(none.status).toBe(503);
    expect(none.json.error).toMatchObject({ code: 'no-page' });
    attachPage();
    const unknown = await send('PUT', '/style', { id: 'user:nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.message).toContain('user:nope');
  });

  it('refuses bad bodies with 400, naming the field, and changes nothing', async () => {
    await start();
    const events = attachPage();
    const tooStrong = await send('PUT', '/strength', { value: 2 });
    expect(tooStrong.status).toBe(400);
    expect(tooStrong.json.error?.message).toMatch(/^strength: value: /);
    expect((await send('PUT', '/strength', { value: 0.5, extra: 1 })).status).toBe(400);
    expect((await send('PUT', '/cycle', { seconds: 1 })).json.error?.message).toMatch(/seconds/);
    expect((await send('PUT', '/kiosk', '{"on": tru')).status).toBe(400);
    expect((await send('PUT', '/kiosk', '[true]')).status).toBe(400);
    expect(events).toEqual([]);
  });

  it('answers 404 for unknown routes and 405, with Allow, for the wrong method', async () => {
    await start();
    expect((await send('GET', '/nothing', undefined, {})).status).toBe(404);
    expect((await send('GET', '/', undefined, {})).status).toBe(404);
    expect((await send('GET', '/../api/v1/status/x', undefined, {})).status).toBe(404);
    const response = await fetch(api('/style/next'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes writes only as application/json, so no web page can send them', async () => {
    await start();
    const events = attachPage();
    expect((await send('POST', '/style/next', undefined, {})).status).toBe(415);
    expect((await send('POST', '/style/next', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    const form = await send('PUT', '/strength', 'value=0', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(events).toEqual([]);
  });

  it('refuses another Host (DNS rebinding) and bodies over the limit', async () => {
    await start();
    const port = remote.httpListener!.port;
    const rebound = await rawRequest(
      port,
      `GET /api/v1/status HTTP/1.1\r\nHost: evil.example:${port}\r\n\r\n`,
    );
    expect(rebound).toMatch(/^HTTP\/1.1 403/);
    const huge = await send(
      'PUT',
      '/strength',
      JSON.stringify({ value: 0.5, pad: 'x'.repeat(MAX_CONTROL_BODY_BYTES) }),
    );
    expect(huge.status).toBe(413);
    // Still serving.
    expect((await send('GET', '/status', undefined, {})).status).toBe(200);
  });

  it('beyond loopback needs the bearer token it printed', async () => {
    await start('0.0.0.0');
    const token = remote.httpListener!.token;
    expect(token).not.toBeNull();
    expect(logged.join('\n')).toContain(`Bearer ${token}`);
    expect((await send('GET', '/status', undefined, {})).status).toBe(401);
    expect((await send('GET', '/status', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await send('GET', '/status', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('moves to a new port when the remote settings change, and stops when set to null', async () => {
    const settings = await start();
    const first = remote.httpListener!.port;
    await send('PUT', '/strength', { value: 0.5 }); // a change that leaves the ports alone
    expect(remote.httpListener!.port).toBe(first);
    const port = await freePort();
    settings.update({ remote: { httpPort: port } });
    await remote.configure({ host: '127.0.0.1', httpPort: port, oscPort: 0 }); // waits for the restart
    expect(remote.httpListener!.port).toBe(port);
    expect((await send('GET', '/status', undefined, {})).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${first}/api/v1/status`)).rejects.toThrow();
    settings.update({ remote: { httpPort: null } });
    await remote.configure({ host: '127.0.0.1', httpPort: null, oscPort: 0 });
    expect(remote.httpListener).toBeUndefined();
  });
});

describe('remote control over OSC', () => {
  it('switches the style, sets the strength, and survives garbage', async () => {
    await start();
    const events = attachPage();
    const port = remote.oscPort!;
    // Garbage first: not OSC, an unknown address, a bad argument.
    const raw = createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      raw.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
    raw.close();
    const client = new Client('127.0.0.1', port);
    try {
      await client.send('/stylemirror/nothing');
      await client.send('error', 1);
      await client.send('message', 'x');
      await client.send('/stylemirror/strength', 7);
      await client.send('/stylemirror/style', 'user:wave');
      await client.send('/stylemirror/strength', 0.5);
      await client.send('/stylemirror/style/next');
    } finally {
      await client.close();
    }
    await until(() => events.length >= 3);
    expect(events[0]).toEqual({ kind: 'command', command: { verb: 'select-style', id: 'user:wave' } });
    expect(events[1]).toMatchObject({ kind: 'settings', settings: { strength: 0.5 } });
    expect(events[2]).toEqual({ kind: 'command', command: { verb: 'style-next' } });
    expect(logged.join('\n')).toMatch(/No OSC address "\/stylemirror\/nothing"/);
    expect(logged.join('\n')).toMatch(/strength: value: /);
  });
});

/** Polls `done` until true (UDP is asynchronous); fails after a generous bound, never timing anything. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(done()).toBe(true);
}

/** One request with exactly the bytes given (fetch will not send a foreign Host header). */
async function rawRequest(port: number, text: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
