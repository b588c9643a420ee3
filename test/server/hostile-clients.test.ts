/**
 * Hostile clients against a real `stylemirror serve`: the built CLI in its own process, listening
 * beyond loopback (so with a token, which these clients hold: a stranger on the same network who was
 * given the address), with a real model. After every attack the same three checks: the page is still
 * served over HTTP, a well-behaved page still gets a frame stylized, and the serving process's
 * resident memory is back within {@link MEMORY_BOUND} of what it was before the first attack.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_PAGE_FRAME,
  MAX_PAGE_PROCESSING_PIXELS,
  MAX_PAGE_SNAPSHOT_BYTES,
  SERVER_WIRE_LIMITS,
  type ClientMessage,
  type ServerMessage,
} from '../../common/wire.js';
import type { Frame } from '../../common/frame.js';
import type { StylizeResult } from '../../common/engine-types.js';
import {
  MAX_CONTROL_CALLS_IN_FLIGHT,
  MAX_FRAMES_IN_FLIGHT,
  MAX_PAGES,
  MAX_UNREAD_REPLY_BYTES,
  SNAPSHOT_QUOTA,
} from '../../main/server/browser-limits.js';
import { MAX_STYLE_IMAGE_BYTES } from '../../main/core/model-library.js';
import { MESSAGE_TOO_BIG_REASON } from '../../main/server/wire-connection.js';
import {
  printed,
  REPO_ROOT,
  requireBuild,
  residentBytes,
  runCli,
  servedUrl,
  type ServeProcess,
} from './serve-process.js';
import { openWire, rawGet, upgradeRefusal, type WireClient } from './wire-test-client.js';

const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
/**
 * How far above its memory before the attacks the server may stay once one is over (it starts near
 * 200 MiB). Before the limits, three of the first attack's 18 headers took a decoder past 700 MB.
 * Frames of up to 1920x1080, processing at up to 640x480 and 20 MiB paintings are allowed work, and
 * the allocator keeps some of what they used.
 */
const MEMORY_BOUND = 256 * 1024 * 1024;
/**
 * A style painting as big as the library reads (20 MiB): as many as a page may ask for at once are
 * well past MAX_UNREAD_REPLY_BYTES, and the few MB the sockets' buffers take.
 */
const BIG_PAINTING_BYTES = MAX_STYLE_IMAGE_BYTES;

let tmp: string;
let lan: ServeProcess;
let local: ServeProcess;
/** The LAN server's address as a stranger uses it (by IP), and its token. */
let base: string;
let token: string;
let localBase: string;
let snapshotsDir: string;
let settingsFile: string;
let baseline: number;

/** A frame with a gradient, so that stylizing it is real work. */
function frameOf(width: number, height: number, channels: 3 | 4 = 4): Frame {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 0xff;
  return { data, width, height, channels };
}

/** A client of the LAN server with the token (and its own page's Origin). */
const connect = (): Promise<WireClient> => openWire(base, { token });

/**
 * {@link connect}, trying again while the server answers 503: a socket closed a moment ago (by this
 * client) may not be counted closed by the server yet.
 */
async function connectWhenRoom(): Promise<WireClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 503 || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function errorOf(reply: ServerMessage): { code?: string; message: string } {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply.value)}`);
  return reply.error as { code?: string; message: string };
}

/** Sends `messages` as fast as the socket takes them and waits for a reply to each id. */
async function burst(client: WireClient, messages: ClientMessage[]): Promise<ServerMessage[]> {
  for (const message of messages) client.send(message);
  return Promise.all(messages.map((m) => client.reply(m.id)));
}

/** Sends `messages` one at a time, each once the one before is answered, as the page does. */
async function inTurn(client: WireClient, messages: ClientMessage[]): Promise<ServerMessage[]> {
  const replies: ServerMessage[] = [];
  for (const message of messages) {
    client.send(message);
    replies.push(await client.reply(message.id));
  }
  return replies;
}

/** A PNG signature and header stating `width` x `height`, then `rest` bytes of anything. */
function pngHeader(width: number, height: number, rest = 16): Uint8Array {
  const bytes = new Uint8Array(33 + rest).fill(0x41);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

/** A well-behaved page gets a frame stylized, at its own size. */
async function expectStylized(): Promise<void> {
  const client = await connect();
  try {
    const frame = frameOf(64, 48);
    client.send({ t: 'frame', id: 1, frame, options: { maxNetworkSize: { width: 32, height: 24 } } });
    const reply = await client.reply(1);
    expect(reply.ok, JSON.stringify(!reply.ok && reply.error)).toBe(true);
    const result = (reply as { value: StylizeResult }).value;
    expect([result.frame.width, result.frame.height]).toEqual([64, 48]);
  } finally {
    await client.close();
  }
}

/** The page, a stylized frame for a well-behaved page, and memory back within the bound. */
async function expectStillServing(): Promise<void> {
  const page = await rawGet(base, `/?token=${token}`);
  expect(page.status).toBe(200);
  expect(page.body).toContain('<div id="root">');
  await expectStylized();
  // Memory is given back as garbage is collected: look again for a while, do not sample once.
  let resident = await residentBytes(lan.child.pid!);
  for (let look = 0; look < 120 && resident >= baseline + MEMORY_BOUND; look++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    resident = await residentBytes(lan.child.pid!);
  }
  expect(resident).toBeLessThan(baseline + MEMORY_BOUND);
}

/**
 * The models folder: `udnie` (a link to the shared one), `broken` (a manifest without its weights:
 * listed, never loaded) and `painted` (the same, with a style painting as big as may be).
 */
async function makeModels(dir: string): Promise<void> {
  await mkdir(dir);
  await symlink(path.join(SHARED_MODELS, 'udnie'), path.join(dir, 'udnie'));
  for (const name of ['broken', 'painted']) {
    await mkdir(path.join(dir, name));
    await copyFile(path.join(SHARED_MODELS, 'udnie', 'manifest.json'), path.join(dir, name, 'manifest.json'));
  }
  // A "PNG" as the library sniffs it, as big as a style painting may be.
  const painting = new Uint8Array(BIG_PAINTING_BYTES);
  painting.set(pngHeader(16, 16));
  await writeFile(path.join(dir, 'painted', 'style.png'), painting);
}

beforeAll(async () => {
  requireBuild();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-hostile-'));
  const models = path.join(tmp, 'models');
  await makeModels(models);
  snapshotsDir = path.join(tmp, 'snapshots');
  settingsFile = path.join(tmp, 'settings.json');
  const common = ['--port', '0', '--models', models, '--snapshots', snapshotsDir];
  lan = runCli(['serve', '--host', '0.0.0.0', '--settings', settingsFile, ...common]);
  local = runCli(['serve', '--settings', path.join(tmp, 'local-settings.json'), ...common]);
  const address = new URL(await servedUrl(lan, /http:\/\/localhost:\d+\/\?token=[\w-]+/));
  token = address.searchParams.get('token')!;
  base = `http://127.0.0.1:${address.port}/`;
  localBase = await servedUrl(local, /http:\/\/127\.0\.0\.1:\d+\//);

  const client = await connect();
  client.send({ t: 'control', id: 1, channel: 'models:select', payload: { id: 'user:udnie' } });
  expect((await client.reply(1)).ok).toBe(true);
  await client.close();
  // Memory before the attacks: the model loaded and a frame through the engine.
  await expectStylized();
  baseline = await residentBytes(lan.child.pid!);
  console.log(`stylemirror serve: ${(baseline / 2 ** 20).toFixed(0)} MiB resident before the attacks`);
}, 120_000);

afterAll(async () => {
  for (const serve of [lan, local]) {
    if (serve === undefined) continue;
    serve.child.kill('SIGINT');
    await serve.exited;
  }
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

describe('stylemirror serve against hostile clients', () => {
  afterEach(expectStillServing);

  it('refuses MessagePack headers that claim more than the message holds, before allocating', async () => {
    const be32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    const attacks = [
      // The 90-byte message: 18 array headers of 30 million items each.
      Array.from({ length: 18 }, () => [0xdd, ...be32(30_000_000)]).flat(),
      [0xdf, ...be32(30_000_000)], // map of 30 million entries
      [0xdb, ...be32(2 ** 31), 0x41], // string of 2 GiB
      [0xc6, ...be32(2 ** 31), 0x41], // bin of 2 GiB
      [0xc9, ...be32(2 ** 31), 1, 0x41], // ext of 2 GiB
      [0xdc, 0xff, 0xff, 0xc0], // array of 65535 with one item
    ];
    const client = await connect();
    for (const bytes of attacks) client.send(new Uint8Array(bytes));
    // Longer than the limits but all there: the decoder's own limits refuse them.
    client.send(encode({ t: 'control', id: 1, channel: 'x'.repeat(SERVER_WIRE_LIMITS.maxStrLength + 1) }));
    client.send(encode(new Array(SERVER_WIRE_LIMITS.maxArrayLength + 1).fill(0)));
    client.send({ t: 'control', id: 2, channel: 'settings:get', payload: {} });
    await client.reply(2);
    const refusals = client.replies.slice(0, attacks.length + 2);
    expect(refusals.map((r) => r.id)).toEqual(new Array(attacks.length + 2).fill(-1));
    for (const reply of refusals) {
      expect(errorOf(reply)).toMatchObject({
        code: 'invalid-message',
        message: expect.stringMatching(/^Message refused: /),
      });
    }
    expect(errorOf(refusals[0]!).message).toMatch(/claims 30000000 items, but only 85 bytes follow/);
    expect(errorOf(refusals.at(-2)!).message).toMatch(/maxStrLength/);
    expect(errorOf(refusals.at(-1)!).message).toMatch(/maxArrayLength/);
    expect((await client.reply(2)).ok).toBe(true);
    await client.close();
  });

  it('refuses deep nesting at once', async () => {
    const client = await connect();
    client.send(new Uint8Array(1024 * 1024).fill(0x91)); // a million arrays, each inside the last
    let payload: unknown = 0;
    for (let i = 0; i < SERVER_WIRE_LIMITS.maxDepth; i++) payload = [payload];
    client.send(encode({ t: 'control', id: 1, channel: 'settings:update', payload }));
    client.send({ t: 'control', id: 2, channel: 'settings:get', payload: {} });
    await client.reply(2);
    for (const reply of client.replies.slice(0, 2)) {
      expect(errorOf(reply).message).toContain(`Nested deeper than ${SERVER_WIRE_LIMITS.maxDepth} arrays`);
    }
    await client.close();
  });

  it('closes a socket whose message passes the size limit, naming the limit', async () => {
    for (const message of [
      new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1),
      encode({ t: 'frame', id: 1, frame: frameOf(2100, 2100), options: {} }),
    ]) {
      const client = await connect();
      client.send(message);
      expect(await client.closed).toEqual({ code: 1009, reason: MESSAGE_TOO_BIG_REASON });
    }
    expect(MESSAGE_TOO_BIG_REASON).toContain(String(MAX_CLIENT_MESSAGE_BYTES));
  });

  it('refuses frames beyond 1920x1080 and processing beyond 640x480, naming the limit; takes the largest', async () => {
    const client = await connect();
    const small = frameOf(64, 48);
    const replies = await burst(client, [
      { t: 'frame', id: 1, frame: frameOf(2000, 1000), options: {} },
      { t: 'frame', id: 2, frame: frameOf(1920, 1081, 3), options: {} },
      { t: 'frame', id: 3, frame: small, options: { maxNetworkSize: { width: 4096, height: 4096 } } },
      { t: 'frame', id: 4, frame: small, options: { maxNetworkSize: { width: 1000, height: 1000 } } },
      {
        t: 'control',
        id: 5,
        channel: 'settings:update',
        payload: { processingSize: { width: 4096, height: 4096 } },
      },
      {
        t: 'control',
        id: 6,
        channel: 'settings:update',
        payload: { processingSize: { width: 1280, height: 720 } },
      },
    ]);
    const [wide, many, huge, square, hugeSetting, hdSetting] = replies.map(errorOf);
    expect(wide!.message).toContain(`at most ${MAX_PAGE_FRAME.side} pixels a side`);
    expect(many!.message).toContain(`at most ${MAX_PAGE_FRAME.pixels} pixels (1920x1080)`);
    expect(huge!.message).toContain(`at most ${MAX_PAGE_FRAME.side} pixels a side`);
    expect(square!.message).toContain(`processes at most ${MAX_PAGE_PROCESSING_PIXELS} (640x480)`);
    expect(hugeSetting).toMatchObject({ code: 'too-large', message: expect.stringContaining('640x480') });
    expect(hdSetting).toMatchObject({ code: 'too-large', message: expect.stringContaining('640x480') });

    // The largest frame a page may send is taken, and processed within the bound.
    client.send({ t: 'frame', id: 7, frame: frameOf(1920, 1080), options: {} });
    const reply = await client.reply(7);
    expect(reply.ok, JSON.stringify(!reply.ok && reply.error)).toBe(true);
    const result = (reply as { value: StylizeResult }).value;
    expect([result.frame.width, result.frame.height]).toEqual([1920, 1080]);
    expect(result.networkSize).toEqual({ width: 640, height: 360 });
    await client.close();
  });

  it(`serves at most ${MAX_PAGES} pages at once, refusing the next with 503 until one closes`, async () => {
    const pages: WireClient[] = [];
    try {
      while (pages.length < MAX_PAGES) pages.push(await connectWhenRoom());
      const refused = await upgradeRefusal(base, { token });
      expect(refused).toEqual({
        status: 503,
        body: `Style Mirror serves at most ${MAX_PAGES} pages at once; close one and reload.\n`,
      });
      await pages.pop()!.close();
      pages.push(await connectWhenRoom());
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });

  it('answers a flood of control requests and frames once each, refusing what is over the caps', async () => {
    const client = await connect();
    const controls: ClientMessage[] = Array.from({ length: 200 }, (_, i) => ({
      t: 'control',
      id: i + 1,
      channel: 'models:list',
      payload: {},
    }));
    const frame = frameOf(64, 48);
    const frames: ClientMessage[] = Array.from({ length: 50 }, (_, i) => ({
      t: 'frame',
      id: 1000 + i,
      frame,
      options: { maxNetworkSize: { width: 32, height: 24 } },
    }));
    const replies = await burst(client, [...controls, ...frames]);
    expect(client.replies).toHaveLength(250);
    for (const reply of replies) {
      if (reply.ok) continue;
      expect(errorOf(reply).code).toBe('busy');
      expect(errorOf(reply).message).toMatch(
        new RegExp(
          `${MAX_CONTROL_CALLS_IN_FLIGHT} requests waiting|already has ${MAX_FRAMES_IN_FLIGHT} frames`,
        ),
      );
    }
    await client.close();
  });

  it('disconnects a page that keeps asking but leaves its replies unread', async () => {
    const client = await connect();
    client.socket.pause();
    const asks = 2 * MAX_CONTROL_CALLS_IN_FLIGHT;
    for (let id = 1; id <= asks; id++) {
      client.send({ t: 'control', id, channel: 'models:style-image', payload: { id: 'user:painted' } });
    }
    await printed(
      lan,
      `disconnected a page that left more than ${MAX_UNREAD_REPLY_BYTES} bytes of replies unread`,
    );
    client.socket.resume();
    expect((await client.closed).code).toBe(1006);
    const paintings = client.replies.filter((r) => r.ok);
    expect(paintings.length).toBeLessThan(MAX_CONTROL_CALLS_IN_FLIGHT);
  });

  it('names no path of the server in any error, and keeps the full text in its log', async () => {
    const client = await connect();
    const replies = await inTurn(client, [
      { t: 'control', id: 1, channel: 'models:select', payload: { id: 'user:broken' } },
      {
        t: 'control',
        id: 2,
        channel: 'models:thumbnail',
        payload: { id: 'user:broken', frame: frameOf(16, 16) },
      },
      { t: 'control', id: 3, channel: 'models:select', payload: { id: 'user:no_such_model' } },
      { t: 'control', id: 4, channel: 'models:style-image', payload: { id: 'bundled:no_such_model' } },
      { t: 'control', id: 5, channel: 'models:select', payload: { id: 'user:../../etc' } },
      { t: 'control', id: 6, channel: 'snapshot:save', payload: { png: pngHeader(16, 16) } },
    ]);
    const errors = replies.slice(0, 5).map(errorOf);
    expect(errors[0]!.message).toMatch(/<models folder>\/broken/);
    for (const { message } of errors) {
      for (const place of [tmp, os.homedir(), REPO_ROOT, SHARED_MODELS]) expect(message).not.toContain(place);
      expect(message).not.toMatch(/(^|[\s'"(=:])\/(?!\/)\S+\/\S/);
    }
    // The server's own log keeps where.
    expect(lan.output()).toContain(path.join(tmp, 'models', 'broken'));
    // The one place a path goes to a page: where its own snapshot was saved.
    expect(replies[5]!.ok && (replies[5]!.value as { path: string }).path).toContain(snapshotsDir);
    client.send({ t: 'control', id: 7, channel: 'models:select', payload: { id: 'user:udnie' } });
    expect((await client.reply(7)).ok).toBe(true);
    await client.close();
  });

  it('refuses a foreign Host (on loopback), a foreign Origin, and anything without the token', async () => {
    const port = new URL(localBase).port;
    for (const host of [`evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
      const res = await rawGet(localBase, '/', { host });
      expect([res.status, res.body]).toEqual([403, expect.stringMatching(/answers only to/)]);
    }
    for (const origin of ['http://evil.example', 'null', null]) {
      expect((await upgradeRefusal(localBase, { origin })).status).toBe(403);
      expect((await upgradeRefusal(base, { token, origin })).status).toBe(403);
    }
    for (const p of ['/', '/assets/', '/?token=', `/?token=${token.slice(0, -1)}`]) {
      const res = await rawGet(base, p);
      expect([res.status, res.body]).toEqual([403, expect.stringMatching(/needs the access token/)]);
    }
    for (const wrong of [null, 'wrong', token.toUpperCase()]) {
      const refused = await upgradeRefusal(base, { token: wrong });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/needs the access token/);
    }
  });

  it('answers malformed, truncated and mistyped messages with what is wrong, on the same socket', async () => {
    const client = await connect();
    const good = encode({ t: 'control', id: 50, channel: 'settings:get', payload: {} });
    const bad: (Uint8Array | string)[] = [
      'settings:get',
      new Uint8Array([0xc1]),
      good.subarray(0, good.length - 3),
      new Uint8Array([...good, 0xc0]),
      encode(null),
      encode({ t: 'control', id: -1, channel: 'settings:get', payload: {} }),
      encode({ t: 'control', id: 1.5, channel: 'settings:get', payload: {} }),
      encode({ t: 'frame', id: 2, frame: { ...frameOf(16, 16), width: '16' }, options: {} }),
      encode({ t: 'frame', id: 3, frame: { ...frameOf(16, 16), channels: 5 }, options: {} }),
      encode({ t: 'frame', id: 4, frame: { ...frameOf(16, 16), data: 'pixels' }, options: {} }),
      encode({ t: 'frame', id: 5, frame: frameOf(16, 16), options: { strength: Number.NaN } }),
      encode({ t: 'frame', id: 6, frame: frameOf(16, 16), options: { extra: true } }),
      encode({ t: 'control', id: 7, channel: 'settings:update', payload: { strength: 'loud' } }),
      encode({
        t: 'control',
        id: 8,
        channel: 'models:thumbnail',
        payload: { id: 'user:udnie', frame: frameOf(600, 600) },
      }),
      encode({ t: 'control', id: 9, channel: 'settings:get', payload: { when: new Date(0) } }),
      encode({ t: 'launch', id: 10 }),
    ];
    for (const message of bad) client.send(message);
    client.send(good);
    await Promise.all([7, 8, 50].map((id) => client.reply(id)));
    const answers = client.replies.filter((r) => r.id !== 50);
    expect(answers).toHaveLength(bad.length);
    for (const reply of answers) {
      expect(['invalid-message', 'invalid-request']).toContain(errorOf(reply).code);
      expect(errorOf(reply).message.length).toBeGreaterThan(10);
    }
    expect((await client.reply(50)).ok).toBe(true);
    await client.close();
  });

  it('lets no page change the folders: the whole change is refused and nothing is created', async () => {
    const client = await connect();
    const elsewhere = path.join(tmp, 'elsewhere', 'deeper');
    const replies = await inTurn(client, [
      { t: 'control', id: 1, channel: 'settings:update', payload: { snapshotsDir: elsewhere } },
      { t: 'control', id: 2, channel: 'settings:update', payload: { modelsDir: '/' } },
      { t: 'control', id: 3, channel: 'settings:update', payload: { snapshotsDir: null } },
      { t: 'control', id: 4, channel: 'settings:update', payload: { modelsDir: tmp, strength: 0.5 } },
      { t: 'control', id: 5, channel: 'settings:get', payload: {} },
    ]);
    for (const reply of replies.slice(0, 4)) {
      // Refused by the contract (once the page's patch no longer has them) or by browser mode.
      const error = errorOf(reply);
      expect(['forbidden', 'invalid-request']).toContain(error.code);
      expect(error.message).toMatch(/modelsDir|snapshotsDir/);
    }
    expect(replies[4]!.ok && replies[4]!.value).toMatchObject({ modelsDir: null, snapshotsDir: null });
    expect((replies[4] as { value: { strength: number } }).value.strength).not.toBe(0.5);
    await expect(readdir(path.join(tmp, 'elsewhere'))).rejects.toMatchObject({ code: 'ENOENT' });
    const saved = await readFile(settingsFile, 'utf8').catch(() => '{}');
    expect(JSON.parse(saved)).not.toHaveProperty('snapshotsDir', elsewhere);
    await client.close();
  });

  it(`saves snapshots only as real-sized PNGs, and at most ${SNAPSHOT_QUOTA.files} in a run`, async () => {
    const client = await connect();
    const save = (id: number, png: Uint8Array): ClientMessage => ({
      t: 'control',
      id,
      channel: 'snapshot:save',
      payload: { png },
    });
    const signatureOnly = pngHeader(16, 16, 40);
    signatureOnly.fill(0x41, 8);
    const refused = (
      await burst(client, [
        save(1, pngHeader(16, 16).subarray(0, 20)),
        save(2, signatureOnly),
        save(3, pngHeader(5000, 5000)),
        save(4, pngHeader(1921, 16)),
      ])
    ).map(errorOf);
    expect(refused.map((e) => e.code)).toEqual([
      'not-png',
      'not-png',
      'snapshot-too-large',
      'snapshot-too-large',
    ]);
    expect(refused[2]!.message).toContain(
      `at most ${MAX_PAGE_FRAME.side} pixels a side and ${MAX_PAGE_FRAME.pixels} pixels`,
    );
    // Past the largest snapshot a page may send: refused as it is decoded, so answered without its id.
    client.send(save(5, pngHeader(16, 16, MAX_PAGE_SNAPSHOT_BYTES)));
    expect(errorOf(await client.reply(-1)).message).toContain(`maxBinLength (${MAX_PAGE_SNAPSHOT_BYTES})`);

    // Saved until the quota, a few at a time (the cap on requests in flight), then refused.
    let saved = (await readdir(snapshotsDir).catch(() => [])).length;
    let id = 100;
    while (saved < SNAPSHOT_QUOTA.files) {
      const count = Math.min(MAX_CONTROL_CALLS_IN_FLIGHT, SNAPSHOT_QUOTA.files - saved);
      const replies = await burst(
        client,
        Array.from({ length: count }, () => save(id++, pngHeader(16, 16))),
      );
      for (const reply of replies) expect(reply.ok, JSON.stringify(reply)).toBe(true);
      saved += count;
    }
    const [over] = await burst(client, [save(id++, pngHeader(16, 16))]);
    expect(errorOf(over!)).toMatchObject({
      code: 'snapshot-limit-reached',
      message: expect.stringContaining(`at most ${SNAPSHOT_QUOTA.files} snapshots`),
    });
    expect(await readdir(snapshotsDir)).toHaveLength(SNAPSHOT_QUOTA.files);
    await client.close();
  });
});
