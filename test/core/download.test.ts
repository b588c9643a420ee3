import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DownloadError, downloadVerifiedFile, type DownloadFileOptions } from '../../main/core/download.js';
import { makeTempDir } from '../support/model-fixtures.js';
import { startPackServer, type PackServer, type PackServerFaults } from '../support/pack-server.js';

const BYTES = randomBytes(300_000);
const SHA = createHash('sha256').update(BYTES).digest('hex');

/** A server with one file, `m/f`, and a download of it into a fresh folder. */
async function setUp(
  faults: PackServerFaults = {},
): Promise<{ served: PackServer; file: (extra?: Partial<DownloadFileOptions>) => DownloadFileOptions }> {
  const root = await makeTempDir();
  await mkdir(path.join(root, 'm'));
  await writeFile(path.join(root, 'm', 'f'), BYTES);
  const served = await startPackServer(root, faults);
  onTestFinished(() => served.close());
  const dest = path.join(await makeTempDir(), 'f');
  return {
    served,
    file: (extra = {}) => ({
      url: `${served.url}m/f`,
      dest,
      size: BYTES.length,
      sha256: SHA,
      retryDelayMs: 0,
      ...extra,
    }),
  };
}

/** Compared by hash: a deep equality of 300 kB takes seconds. */
const sha256Of = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

const failsWith = (code: string) => (e: unknown) => e instanceof DownloadError && e.code === code;

describe('downloadVerifiedFile', () => {
  it('downloads and verifies; a verified file already there costs no request', async () => {
    const { served, file } = await setUp();
    await downloadVerifiedFile(file());
    expect(await sha256Of(file().dest)).toBe(SHA);
    expect(existsSync(`${file().dest}.part`)).toBe(false);

    await downloadVerifiedFile(file());
    expect(served.requests).toHaveLength(1);
  });

  it('replaces a file already there that does not verify', async () => {
    const { served, file } = await setUp();
    await writeFile(file().dest, Buffer.alloc(BYTES.length));
    await downloadVerifiedFile(file());
    expect(await sha256Of(file().dest)).toBe(SHA);
    expect(served.requests).toHaveLength(1);
  });

  it('never keeps more than the pinned size from a server that sends more, without Content-Length', async () => {
    const { served, file } = await setUp({ oversize: 'm/f' });
    await expect(downloadVerifiedFile(file())).rejects.toSatisfy(failsWith('too-large'));
    expect(existsSync(`${file().dest}.part`)).toBe(false);
    expect(existsSync(file().dest)).toBe(false);
    expect(served.requests).toHaveLength(1);
  });

  it('refuses at once a response whose Content-Length exceeds the pin', async () => {
    const { file } = await setUp();
    const error = await downloadVerifiedFile(file({ size: BYTES.length - 1 })).catch((e: unknown) => e);
    expect(error).toSatisfy(failsWith('too-large'));
    expect((error as Error).message).toMatch(/announced 300000 bytes, but the pack pins 299999/);
    expect(existsSync(`${file().dest}.part`)).toBe(false);
  });

  it('gives up on a server that stalls, saying so', async () => {
    const { served, file } = await setUp({ stall: 'm/f' });
    await expect(downloadVerifiedFile(file({ idleTimeoutMs: 200, retries: 1 }))).rejects.toSatisfy(
      (e) => failsWith('timeout')(e) && /stalled/.test((e as Error).message),
    );
    // A stall is worth one more try, which resumes.
    expect(served.requests).toHaveLength(2);
  });

  it('starts over from a part file longer than the pin', async () => {
    const { served, file } = await setUp();
    await writeFile(`${file().dest}.part`, Buffer.alloc(BYTES.length + 10));
    await downloadVerifiedFile(file());
    expect(await sha256Of(file().dest)).toBe(SHA);
    expect(served.requests.map((r) => r.range)).toEqual([undefined]);
  });

  it('deletes a complete part file that does not verify, and the next call fetches it whole', async () => {
    const { served, file } = await setUp();
    await writeFile(`${file().dest}.part`, Buffer.alloc(BYTES.length));
    await expect(downloadVerifiedFile(file())).rejects.toSatisfy(failsWith('hash-mismatch'));
    expect(served.requests).toHaveLength(0);
    await downloadVerifiedFile(file());
    expect(served.requests.map((r) => r.range)).toEqual([undefined]);
    expect(await sha256Of(file().dest)).toBe(SHA);
  });

  it('fetches only http(s) URLs', async () => {
    const dest = path.join(await makeTempDir(), 'f');
    for (const url of ['file:///etc/passwd', 'data:,hello', 'ftp://example.org/f']) {
      await expect(downloadVerifiedFile({ url, dest, size: 5, sha256: SHA })).rejects.toSatisfy(
        failsWith('bad-url'),
      );
    }
  });

  it('passes the caller’s abort through unchanged, before any request', async () => {
    const { served, file } = await setUp();
    const reason = new Error('stopped by the test');
    await expect(downloadVerifiedFile(file({ signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    expect(served.requests).toHaveLength(0);
  });
});
