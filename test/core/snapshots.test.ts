import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sanitizeLabel, SnapshotFolder } from '../../main/core/snapshots.js';
import { makeTempDir } from '../support/model-fixtures.js';

/** A real 16x16 PNG. */
async function png(): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 40, b: 90 } } })
      .png()
      .toBuffer(),
  );
}

/** 14 March 2025, 09:05:07 local time. */
const NOW = new Date(2025, 2, 14, 9, 5, 7);

describe('sanitizeLabel', () => {
  it.each([
    ['bundled:rain_princess', 'bundled-rain_princess'],
    ['user:../../etc/passwd', 'user-etc-passwd'],
    ['a\\b/c\u0000d\ne', 'a-b-c-d-e'],
    ['Élan vital', 'Élan-vital'],
    ['::', ''],
    ['x'.repeat(100), 'x'.repeat(64)],
    [`${'y'.repeat(63)}:z`, 'y'.repeat(63)],
  ])('%j -> %j', (label, safe) => {
    expect(sanitizeLabel(label)).toBe(safe);
  });
});

describe('SnapshotFolder', () => {
  it('saves the PNG bytes under a name made of the label and the local time, creating the folder', async () => {
    const dir = path.join(await makeTempDir(), 'Pictures', 'Style Mirror');
    const bytes = await png();
    const folder = new SnapshotFolder(() => dir, { now: () => NOW, defaultDir: dir });
    const file = await folder.save(bytes, 'bundled:rain_princess');
    expect(file).toBe(path.join(dir, 'style-mirror-bundled-rain_princess-20250314-090507.png'));
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    expect((await sharp(file).metadata()).width).toBe(16);
  });

  it('leaves the label out when there is none, or nothing of it survives', async () => {
    const dir = await makeTempDir();
    const folder = new SnapshotFolder(() => dir, { now: () => NOW });
    expect(path.basename(await folder.save(await png()))).toBe('style-mirror-20250314-090507.png');
    expect(path.basename(await folder.save(await png(), '://'))).toBe('style-mirror-20250314-090507-2.png');
  });

  it('never overwrites: the same second gets -2, -3, and a file already there is kept', async () => {
    const dir = await makeTempDir();
    const taken = path.join(dir, 'style-mirror-wave-20250314-090507.png');
    await writeFile(taken, 'someone else’s file');
    const folder = new SnapshotFolder(() => dir, { now: () => NOW });
    const saved = await Promise.all([folder.save(await png(), 'wave'), folder.save(await png(), 'wave')]);
    expect(saved.map((f) => path.basename(f)).sort()).toEqual([
      'style-mirror-wave-20250314-090507-2.png',
      'style-mirror-wave-20250314-090507-3.png',
    ]);
    expect(await readFile(taken, 'utf8')).toBe('someone else’s file');
  });

  it('keeps the label inside the folder, whatever it says', async () => {
    const dir = await makeTempDir();
    const folder = new SnapshotFolder(() => dir, { now: () => NOW });
    const file = await folder.save(await png(), '../../escape');
    expect(path.dirname(file)).toBe(dir);
  });

  it('refuses bytes that are not a PNG, before touching the disk', async () => {
    const dir = path.join(await makeTempDir(), 'never-created');
    const folder = new SnapshotFolder(() => dir);
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(40).fill(0)]);
    const bare = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const bytes of [jpeg, bare, new Uint8Array(0)]) {
      await expect(folder.save(bytes)).rejects.toMatchObject({
        name: 'SnapshotError',
        code: 'not-png',
        message: expect.stringMatching(/must be a PNG image/),
      });
    }
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a PNG signature followed by anything but a PNG header', async () => {
    const dir = path.join(await makeTempDir(), 'never-created');
    const folder = new SnapshotFolder(() => dir);
    const real = await png();
    const junk = new Uint8Array(real.length).fill(0x41);
    junk.set(real.subarray(0, 8));
    const zeroWidth = real.slice();
    new DataView(zeroWidth.buffer).setUint32(16, 0);
    for (const bytes of [junk, zeroWidth]) {
      await expect(folder.save(bytes)).rejects.toMatchObject({ code: 'not-png' });
    }
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a picture beyond its limits, by the size its header states or its bytes, naming the limit', async () => {
    const dir = path.join(await makeTempDir(), 'never-created');
    const limits = { maxSide: 1920, maxPixels: 1920 * 1080, maxBytes: 4096 };
    const folder = new SnapshotFolder(() => dir, { limits, defaultDir: dir });
    const real = await png();
    const sized = (width: number, height: number): Uint8Array => {
      const bytes = real.slice();
      new DataView(bytes.buffer).setUint32(16, width);
      new DataView(bytes.buffer).setUint32(20, height);
      return bytes;
    };
    for (const [width, height] of [
      [1921, 16],
      [16, 1921],
      [1920, 1081],
      [65535, 65535],
    ] as const) {
      await expect(folder.save(sized(width, height))).rejects.toMatchObject({
        code: 'snapshot-too-large',
        message: `A snapshot is at most 1920 pixels a side and 2073600 pixels here; this one is ${width}x${height}.`,
      });
    }
    const padded = new Uint8Array(4097);
    padded.set(real);
    await expect(folder.save(padded)).rejects.toMatchObject({
      code: 'snapshot-too-large',
      message: 'A snapshot is at most 4096 bytes here; this one is 4097 bytes.',
    });
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(path.basename(await folder.save(sized(1080, 1920)))).toMatch(/^style-mirror-/);
  });

  it('saves at most its quota of files and bytes, even when asked all at once, and says so', async () => {
    const dir = await makeTempDir();
    const bytes = await png();
    const byFiles = new SnapshotFolder(() => dir, { quota: { files: 3, bytes: 1024 * 1024 } });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => byFiles.save(bytes)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const refused of outcomes.filter((o) => o.status === 'rejected')) {
      expect(refused.reason).toMatchObject({
        code: 'snapshot-limit-reached',
        message: expect.stringMatching(/at most 3 snapshots \(1\.0 MiB together\) per run .* restart it/),
      });
    }
    expect(await readdir(dir)).toHaveLength(3);

    const byBytes = new SnapshotFolder(() => dir, { quota: { files: 100, bytes: bytes.length * 2 } });
    await byBytes.save(bytes);
    await byBytes.save(bytes);
    await expect(byBytes.save(bytes)).rejects.toMatchObject({ code: 'snapshot-limit-reached' });
  });

  it('gives a failed save its place in the quota back', async () => {
    const base = await makeTempDir();
    await writeFile(path.join(base, 'a-file'), 'x');
    let dir = path.join(base, 'a-file', 'snapshots');
    const folder = new SnapshotFolder(() => dir, { quota: { files: 1, bytes: 1024 * 1024 } });
    await expect(folder.save(await png())).rejects.toMatchObject({ code: 'snapshots-folder-unavailable' });
    dir = base;
    expect(path.dirname(await folder.save(await png()))).toBe(base);
    await expect(folder.save(await png())).rejects.toMatchObject({ code: 'snapshot-limit-reached' });
  });

  it('creates only the default folder, with the folders above it; any other must exist', async () => {
    const base = await makeTempDir();
    const fallback = path.join(base, 'Pictures', 'Style Mirror');
    let dir = path.join(base, 'chosen', 'deeper');
    const folder = new SnapshotFolder(() => dir, { defaultDir: fallback });
    await expect(folder.save(await png())).rejects.toMatchObject({
      code: 'snapshots-folder-unavailable',
      message: `The snapshots folder ${dir} is not there (any more). Choose a snapshots folder in the settings ("Snapshots folder…").`,
    });
    expect(await readdir(base)).toEqual([]);
    dir = fallback;
    expect(path.dirname(await folder.save(await png()))).toBe(fallback);
  });

  it('says which default folder cannot be created', async () => {
    const base = await makeTempDir();
    await writeFile(path.join(base, 'a-file'), 'x');
    const dir = path.join(base, 'a-file', 'snapshots');
    const folder = new SnapshotFolder(() => dir, { defaultDir: dir });
    await expect(folder.save(await png())).rejects.toMatchObject({
      code: 'snapshots-folder-unavailable',
      message: expect.stringContaining(`Could not create the snapshots folder ${dir}`),
    });
    await expect(folder.ensure()).rejects.toMatchObject({ code: 'snapshots-folder-unavailable' });
  });

  it('asks for the folder on every save, so a settings change applies at once', async () => {
    const first = await makeTempDir();
    const second = await makeTempDir();
    let dir = first;
    const folder = new SnapshotFolder(() => dir);
    expect(path.dirname(await folder.save(await png()))).toBe(first);
    dir = second;
    expect(folder.path).toBe(second);
    expect(path.dirname(await folder.save(await png()))).toBe(second);
  });
});
