import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os, { networkInterfaces } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encode } from '@msgpack/msgpack';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../common/wire.js';
import type { Frame } from '../../common/frame.js';
import type { StylizeResult } from '../../main/engine/stylize.js';
import { startWorkerEngine } from '../../main/engine/worker/worker-thread-launcher.js';
import {
  startBrowserServer,
  type BrowserServer,
  type BrowserServerOptions,
  type ServerEngine,
} from '../../main/server/browser-server.js';
import { MAX_CONTROL_CALLS_IN_FLIGHT, MAX_FRAMES_IN_FLIGHT } from '../../main/server/browser-limits.js';
import { DEFAULT_PAGE_PROCESSING_BOX } from '../../common/wire.js';
import { HeldEngine, openWire, rawGet, upgradeStatus, type WireClient } from './wire-test-client.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
/** Worker threads run JavaScript: the real engine comes from the build. */
const BUILT_WORKER = path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js');

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
  "media-src 'self' blob: mediastream:; connect-src 'self' ws://HOST; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

let dir: string;
let rendererDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-server-'));
  rendererDir = path.join(dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Style Mirror</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("mirror");');
  await writeFile(path.join(rendererDir, 'assets', 'app.css'), 'body { margin: 0 }');
  await writeFile(path.join(rendererDir, 'assets', 'icon.png'), 'png');
  // Beside the renderer, never to be served: reached by `..`, encoded `..`, or a link.
  await writeFile(path.join(dir, 'secret.txt'), 'TOP-SECRET');
  await symlink(path.join(dir, 'secret.txt'), path.join(rendererDir, 'link-out.txt'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A server on a random loopback port over `engine`, with its own settings file and snapshots folder. */
async function start(
  engine: ServerEngine = new HeldEngine(),
  host?: string,
  options: Partial<BrowserServerOptions> = {},
): Promise<{ server: BrowserServer; settingsFile: string; own: string }> {
  const own = await mkdtemp(path.join(dir, 'run-'));
  const settingsFile = path.join(own, 'settings.json');
  const server = await startBrowserServer({
    ...(host === undefined ? {} : { host }),
    rendererDir,
    settingsFile,
    snapshotsDir: path.join(own, 'snapshots'),
    bundledModelsDir: path.join(own, 'no-bundled-models'),
    modelsDir: MODELS,
    engine,
    log: () => undefined,
    ...options,
  });
  return { server, settingsFile, own };
}

function rgbaFrame(width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 3) % 256, 255], i);
    }
  }
  return { data, width, height, channels: 4 };
}

function expectError(reply: ServerMessage, code: string): void {
  expect(reply.ok).toBe(false);
  if (!reply.ok) expect(reply.error.code).toBe(code);
}

describe('browser-mode server: static files', () => {
  let server: BrowserServer;
  beforeAll(async () => ({ server } = await start()));
  afterAll(() => server.close());

  it('serves index.html at / with the strict CSP (ws: for its own host) and no sniffing', async () => {
    const host = new URL(server.url).host;
    const res = await rawGet(server.url, '/', { host });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>Style Mirror</title>');
    expect(res.headers['content-security-policy']).toBe(EXPECTED_CSP.replace('HOST', host));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves each file with its MIME type, and 404 for what is not there', async () => {
    const types = await Promise.all(
      ['/assets/app.js', '/assets/app.css', '/assets/icon.png'].map(
        async (p) => (await rawGet(server.url, p)).headers['content-type'],
      ),
    );
    expect(types).toEqual(['text/javascript; charset=utf-8', 'text/css; charset=utf-8', 'image/png']);
    expect((await rawGet(server.url, '/assets/app.js')).body).toBe('console.log("mirror");');
    expect((await rawGet(server.url, '/nope.js')).status).toBe(404);
    expect((await rawGet(server.url, '/assets/')).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await rawGet(server.url, '/', {}, 'POST')).status).toBe(405);
    const head = await rawGet(server.url, '/assets/app.js', {}, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/link-out.txt',
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('never serves anything outside the renderer: %s', async (requestPath) => {
    const res = await rawGet(server.url, requestPath);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('TOP-SECRET');
  });

  it('refuses a Host header other than its own (DNS rebinding), with the reason', async () => {
    const port = new URL(server.url).port;
    for (const host of [`evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1']) {
      const res = await rawGet(server.url, '/', { host });
      expect(res.status, host).toBe(403);
      expect(res.body).toMatch(/answers only to/);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      expect((await rawGet(server.url, '/', { host })).status, host).toBe(200);
    }
  });

  it('needs no token on loopback', () => {
    expect(server.token).toBeNull();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });
});

describe('browser-mode server: WebSocket access', () => {
  let server: BrowserServer;
  beforeAll(async () => ({ server } = await start()));
  afterAll(() => server.close());

  it('accepts its own page', async () => {
    const client = await openWire(server.url);
    client.send({ t: 'control', id: 1, channel: 'settings:get', payload: {} });
    expect((await client.reply(1)).ok).toBe(true);
    await client.close();
  });

  it('refuses a page from another origin, and a client that names none', async () => {
    expect(await upgradeStatus(server.url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.url, { origin: `http://localhost:${server.port + 1}` })).toBe(403);
    expect(await upgradeStatus(server.url, { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(server.url, { origin: null })).toBe(403);
  });

  it('refuses an upgrade on any other path', async () => {
    expect(await upgradeStatus(server.url, { path: '/socket' })).toBe(404);
  });
});

describe('browser-mode server: messages', () => {
  let server: BrowserServer;
  let engine: HeldEngine;
  let client: WireClient;
  let settingsFile: string;
  beforeAll(async () => {
    engine = new HeldEngine();
    ({ server, settingsFile } = await start(engine));
  });
  afterAll(() => server.close());
  afterEach(() => client?.close());

  it('answers malformed messages with errors naming the problem, and keeps serving', async () => {
    client = await openWire(server.url);
    client.send('{"t":"control"}');
    client.send(new Uint8Array([0xc1]));
    client.send(encode(42));
    client.send(encode({ t: 'control', id: 5, channel: 42, payload: {} }));
    client.send(encode({ t: 'frame', id: 6, frame: { ...rgbaFrame(16, 16), width: 17 }, options: {} }));
    client.send(encode({ t: 'frame', id: 7, frame: rgbaFrame(16, 16), options: { strength: 3 } }));
    client.send(encode({ t: 'launch', id: 8 }));
    client.send({ t: 'control', id: 9, channel: 'no:such', payload: {} });
    client.send({ t: 'control', id: 10, channel: 'settings:update', payload: { strength: 'loud' } });

    await client.reply(10);
    const [text, garbage, number, ...rest] = client.replies;
    for (const reply of [text!, garbage!, number!]) expect(reply.id).toBe(-1);
    expect(!text!.ok && text!.error.message).toMatch(/binary MessagePack/);
    expect(!garbage!.ok && garbage!.error.message).toMatch(/not valid MessagePack/i);
    expectError(number!, 'invalid-message');
    expect(rest.map((r) => r.id)).toEqual([5, 6, 7, 8, 9, 10]);
    for (const reply of rest.slice(0, 4)) expectError(reply, 'invalid-message');
    const [channelReply, frameReply, optionsReply] = rest;
    expect(!channelReply!.ok && channelReply!.error.message).toMatch(/channel/);
    expect(!frameReply!.ok && frameReply!.error.message).toMatch(/data must hold exactly/);
    expect(!optionsReply!.ok && optionsReply!.error.message).toMatch(/options\.strength/);
    expectError(rest[4]!, 'unknown-channel');
    expectError(rest[5]!, 'invalid-request');
    expect(engine.held).toHaveLength(0);

    // Still serving, on the same socket.
    client.send({ t: 'control', id: 11, channel: 'settings:get', payload: {} });
    expect((await client.reply(11)).ok).toBe(true);
  });

  it('keeps settings in its settings file', async () => {
    client = await openWire(server.url);
    client.send({ t: 'control', id: 1, channel: 'settings:update', payload: { strength: 0.25 } });
    const reply = await client.reply(1);
    expect(reply.ok && (reply.value as { strength: number }).strength).toBe(0.25);
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toMatchObject({ strength: 0.25 });
  });

  it('lists the models of its models folder', async () => {
    client = await openWire(server.url);
    client.send({ t: 'control', id: 1, channel: 'models:list', payload: {} });
    const reply = await client.reply(1);
    const ids = reply.ok ? (reply.value as { id: string }[]).map((m) => m.id) : [];
    expect(ids).toContain('user:udnie');
  });

  it(`answers frames beyond ${MAX_FRAMES_IN_FLIGHT} in flight with 'busy' at once, never queueing them`, async () => {
    client = await openWire(server.url);
    const frame = rgbaFrame(16, 16);
    for (const id of [1, 2, 3, 4]) client.send({ t: 'frame', id, frame, options: {} });
    // Messages are handled in order: once this is answered, every frame before it has been decided.
    client.send({ t: 'control', id: 99, channel: 'settings:get', payload: {} });
    await client.reply(99);
    expect(client.replies.map((r) => r.id)).toEqual([3, 4, 99]);
    expectError(client.replies[0]!, 'busy');
    expectError(client.replies[1]!, 'busy');
    expect(engine.held).toHaveLength(MAX_FRAMES_IN_FLIGHT);

    for (const call of engine.held.splice(0)) call.release();
    const first = await client.reply(1);
    expect(first.ok).toBe(true);
    expect((await client.reply(2)).ok).toBe(true);
    // The frame's pixels reach the engine intact (a Buffer on the way back: compare as bytes).
    expect(new Uint8Array((first as { value: StylizeResult }).value.frame.data)).toEqual(frame.data);

    // Room again once they are answered.
    client.send({ t: 'frame', id: 5, frame, options: {} });
    await expect.poll(() => engine.held.length).toBe(1);
    engine.held.splice(0)[0]!.release();
    expect((await client.reply(5)).ok).toBe(true);
  });

  it("counts frames per page: another page is not refused for the first one's frames", async () => {
    client = await openWire(server.url);
    const other = await openWire(server.url);
    const frame = rgbaFrame(16, 16);
    for (const id of [1, 2]) client.send({ t: 'frame', id, frame, options: {} });
    other.send({ t: 'frame', id: 1, frame, options: {} });
    await expect.poll(() => engine.held.length).toBe(3);
    for (const call of engine.held.splice(0)) call.release();
    expect((await other.reply(1)).ok).toBe(true);
    await other.close();
  });
});

describe('browser-mode server: limits on work', () => {
  let server: BrowserServer;
  let engine: HeldEngine;
  let client: WireClient;
  beforeAll(async () => {
    engine = new HeldEngine();
    ({ server } = await start(engine));
  });
  afterAll(() => server.close());
  afterEach(() => client?.close());

  it(`answers control requests beyond ${MAX_CONTROL_CALLS_IN_FLIGHT} unanswered with 'busy' at once, naming the limit`, async () => {
    client = await openWire(server.url);
    const frame = rgbaFrame(16, 16);
    const ids = Array.from({ length: MAX_CONTROL_CALLS_IN_FLIGHT + 2 }, (_, i) => i + 1);
    for (const id of ids) {
      client.send({ t: 'control', id, channel: 'models:thumbnail', payload: { id: 'user:udnie', frame } });
    }
    // Answered at once, and only after every request before it was decided (messages go in order).
    client.send(encode({ t: 'control', id: 99, channel: 42, payload: {} }));
    await client.reply(99);
    const over = ids.slice(MAX_CONTROL_CALLS_IN_FLIGHT);
    expect(client.replies.map((r) => r.id)).toEqual([...over, 99]);
    for (const id of over) {
      const reply = await client.reply(id);
      expectError(reply, 'busy');
      expect(!reply.ok && reply.error.message).toContain(`${MAX_CONTROL_CALLS_IN_FLIGHT} requests waiting`);
    }
    await expect.poll(() => engine.heldThumbnails.length).toBe(MAX_CONTROL_CALLS_IN_FLIGHT);

    for (const call of engine.heldThumbnails.splice(0)) call.release();
    for (const id of ids.slice(0, MAX_CONTROL_CALLS_IN_FLIGHT))
      expect((await client.reply(id)).ok).toBe(true);
    // Room again once they are answered.
    client.send({ t: 'control', id: 100, channel: 'settings:get', payload: {} });
    expect((await client.reply(100)).ok).toBe(true);
  });

  it('gives the engine a processing size within the bound when a frame brings none', async () => {
    client = await openWire(server.url);
    client.send({ t: 'frame', id: 1, frame: rgbaFrame(64, 48), options: {} });
    client.send({
      t: 'frame',
      id: 2,
      frame: rgbaFrame(64, 48),
      options: { maxNetworkSize: { width: 32, height: 24 } },
    });
    await expect.poll(() => engine.held.length).toBe(2);
    const [none, own] = engine.held.splice(0);
    expect(none!.params.options?.maxNetworkSize).toEqual(DEFAULT_PAGE_PROCESSING_BOX);
    expect(own!.params.options?.maxNetworkSize).toEqual({ width: 32, height: 24 });
    none!.release();
    own!.release();
    await client.reply(2);
  });

  it("names no server path in an error, and keeps the full text in the server's log", async () => {
    const logged: string[] = [];
    const blocked = path.join(dir, 'a-file');
    await writeFile(blocked, 'x');
    const snapshotsDir = path.join(blocked, 'snapshots');
    const { server: other } = await start(new HeldEngine(), undefined, {
      snapshotsDir,
      log: (line) => logged.push(line),
    });
    try {
      client = await openWire(other.url);
      const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
        .png()
        .toBuffer();
      client.send({ t: 'control', id: 1, channel: 'snapshot:save', payload: { png: new Uint8Array(png) } });
      const reply = await client.reply(1);
      expectError(reply, 'snapshots-folder-unavailable');
      const message = !reply.ok ? reply.error.message : '';
      expect(message).toBe(
        "Could not create the snapshots folder <snapshots folder> (ENOTDIR: not a directory, mkdir '<snapshots folder>'). Start `stylemirror serve` with --snapshots DIR to use another folder.",
      );
      expect(message).not.toContain(dir);
      expect(logged.join('\n')).toContain(`Could not create the snapshots folder ${snapshotsDir}`);
    } finally {
      await other.close();
    }
  });
});

describe('browser-mode server: shutdown', () => {
  it('closes its pages, its port and its engine', async () => {
    const engine = new HeldEngine();
    const { server } = await start(engine);
    const client = await openWire(server.url);
    const closed = new Promise<number>((resolve) => client.socket.once('close', resolve));
    await server.close();
    expect(engine.closed).toBe(true);
    await closed;
    await expect(rawGet(server.url, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('says so when its port is taken, and closes the engine it was given', async () => {
    const { server } = await start();
    const engine = new HeldEngine();
    await expect(
      startBrowserServer({
        port: server.port,
        rendererDir,
        settingsFile: path.join(dir, 'unused.json'),
        bundledModelsDir: dir,
        engine,
      }),
    ).rejects.toThrow(
      new RegExp(`Could not listen on 127\\.0\\.0\\.1:${server.port}.*EADDRINUSE.*another --port`),
    );
    expect(engine.closed).toBe(true);
    await server.close();
  });

  it('refuses to start when a --control-port given on the command line is taken, and closes everything', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as AddressInfo).port;
    const engine = new HeldEngine();
    try {
      await expect(
        startBrowserServer({
          port: 0,
          rendererDir,
          settingsFile: path.join(dir, 'unused.json'),
          bundledModelsDir: dir,
          engine,
          remote: { httpPort: takenPort },
          log: () => undefined,
        }),
      ).rejects.toThrow(
        new RegExp(
          `remote control could not listen on 127\\.0\\.0\\.1:${takenPort}.*EADDRINUSE.*--control-port`,
        ),
      );
      expect(engine.closed).toBe(true);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses to start without a built page, saying what to run, and closes the engine it was given', async () => {
    const engine = new HeldEngine();
    await expect(
      startBrowserServer({
        rendererDir: path.join(dir, 'nothing-built'),
        settingsFile: path.join(dir, 'unused.json'),
        bundledModelsDir: dir,
        engine,
      }),
    ).rejects.toThrow(/index\.html is missing.*npm run build/);
    expect(engine.closed).toBe(true);
  });
});

/** This machine's first non-loopback IPv4 address, for when 0.0.0.0 cannot be bound. */
function firstLanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}

describe('browser-mode server: beyond loopback', () => {
  let server: BrowserServer | undefined;
  let skipReason: string | undefined;
  beforeAll(async () => {
    try {
      ({ server } = await start(new HeldEngine(), '0.0.0.0'));
    } catch (error) {
      const lan = firstLanAddress();
      if (lan === undefined) {
        skipReason = `cannot bind 0.0.0.0 (${(error as Error).message}) and no LAN address`;
        return;
      }
      ({ server } = await start(new HeldEngine(), lan));
    }
  });
  afterAll(() => server?.close());

  it('makes a random token of at least 128 bits and puts it in the URL', (context) => {
    if (server === undefined) {
      console.warn(`skipped: ${skipReason}`);
      return context.skip();
    }
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(server.url).toContain(`?token=${server.token}`);
  });

  it('refuses every request and upgrade without the token, with a reason', async (context) => {
    if (server === undefined) return context.skip();
    const base = `http://127.0.0.1:${server.port}/`;
    for (const p of ['/', '/assets/app.js', '/?token=wrong', `/?token=${server.token!.slice(1)}`]) {
      const res = await rawGet(base, p);
      expect(res.status, p).toBe(403);
      expect(res.body).toMatch(/access token/);
    }
    expect(await upgradeStatus(base, {})).toBe(403);
    expect(await upgradeStatus(base, { token: 'wrong' })).toBe(403);
  });

  it('serves the page with the token, then its assets by the cookie it set', async (context) => {
    if (server === undefined) return context.skip();
    const base = `http://127.0.0.1:${server.port}/`;
    const page = await rawGet(base, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    const cookie = page.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await rawGet(base, '/assets/app.js', { cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);

    const client = await openWire(base, { token: server.token });
    client.send({ t: 'control', id: 1, channel: 'settings:get', payload: {} });
    expect((await client.reply(1)).ok).toBe(true);
    await client.close();
    // The token does not excuse a foreign page.
    expect(await upgradeStatus(base, { token: server.token, origin: 'http://evil.example' })).toBe(403);
  });
});

describe('browser-mode server: a real stylize round trip', () => {
  let server: BrowserServer;
  beforeAll(async () => {
    if (!existsSync(BUILT_WORKER)) {
      throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\` first (\`npm test\` does).`);
    }
    ({ server } = await start(startWorkerEngine({ script: pathToFileURL(BUILT_WORKER) })));
  });
  afterAll(() => server?.close());

  it('loads a model from the models folder and stylizes a frame with it', async () => {
    const client = await openWire(server.url);
    client.send({ t: 'control', id: 1, channel: 'models:select', payload: { id: 'user:udnie' } });
    const selected = await client.reply(1);
    expect(selected.ok && selected.value).toMatchObject({ model: 'Udnie', modelId: 'user:udnie' });

    const frame = rgbaFrame(64, 48);
    client.send({ t: 'frame', id: 2, frame, options: { maxNetworkSize: { width: 32, height: 24 } } });
    const reply = await client.reply(2);
    expect(reply.ok, JSON.stringify(!reply.ok && reply.error)).toBe(true);
    const result = (reply as { value: StylizeResult }).value;
    expect([result.frame.width, result.frame.height, result.frame.channels]).toEqual([64, 48, 4]);
    expect(result.networkSize).toEqual({ width: 32, height: 24 });
    let diff = 0;
    for (let i = 0; i < frame.data.length; i++) diff += Math.abs(frame.data[i]! - result.frame.data[i]!);
    expect(diff / frame.data.length).toBeGreaterThan(10);

    // An engine failure comes back as the engine's error, not a dead socket.
    client.send({ t: 'control', id: 3, channel: 'models:select', payload: { id: 'user:no_such_model' } });
    expectError(await client.reply(3), 'model-not-found');
    await client.close();
  });
});
