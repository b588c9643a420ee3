import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importModel, ModelImportError, type ModelImportErrorCode } from '../../main/core/model-import.js';
import { openZip, relativePathProblem, type ZipLimits } from '../../main/core/zip-extract.js';
import { makeTempDir } from '../support/model-fixtures.js';
import { deflatedZeros, makeZip, patchName, rawZip, snapshotTree } from '../support/zip-fixtures.js';

const LIMITS: ZipLimits = { maxEntries: 1000, maxTotalBytes: 512 * 1024 * 1024 };
const MiB = 1024 * 1024;

/** Opens `zip` expecting a refusal with `code` whose message names `entry`. */
async function expectRefused(
  zip: Uint8Array,
  code: ModelImportErrorCode,
  entry?: string,
  limits: ZipLimits = LIMITS,
): Promise<ModelImportError> {
  const error = await openZip({ bytes: zip }, 'hostile.zip', limits).then(
    (archive) => {
      archive.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(ModelImportError);
  expect((error as ModelImportError).code, (error as Error).message).toBe(code);
  expect((error as Error).message).toContain('"hostile.zip"');
  if (entry !== undefined) expect((error as Error).message).toContain(JSON.stringify(entry));
  return error as ModelImportError;
}

const file = (name: string, data: Uint8Array | string = 'x', extra: object = {}) => ({
  name,
  data: typeof data === 'string' ? Buffer.from(data) : data,
  ...extra,
});

describe('relativePathProblem', () => {
  it('accepts plain relative paths', () => {
    for (const ok of ['manifest.json', 'my_style/Variable_1', 'a b/c-d.e', 'élan/ß', 'x..y', '..x']) {
      expect(relativePathProblem(ok), ok).toBeNull();
    }
  });

  it.each([
    ['../evil', /\.\./],
    ['a/../../evil', /\.\./],
    ['..', /\.\./],
    ['/abs', /absolute/],
    ['C:\\x', /backslash/],
    ['C:/x', /drive letter/],
    ['c:x', /drive letter/],
    ['a\\b', /backslash/],
    ['a//b', /empty/],
    ['./a', /"\."/],
    ['', /empty/],
    ['a\u0000b', /control/],
    ['new\nline', /control/],
    ['file.txt:stream', /Windows cannot store/],
    ['what?', /Windows cannot store/],
    ['dot.', /dot or space/],
    ['space ', /dot or space/],
    ['CON', /device/],
    ['sub/nul.txt', /device/],
    ['com1.json', /device/],
    ['x'.repeat(256), /255 bytes/],
    ['a/'.repeat(600), /longer than 1024/],
  ])('refuses %j', (bad, problem) => {
    expect(relativePathProblem(bad)).toMatch(problem);
  });
});

describe('openZip', () => {
  it('lists the file entries of a valid zip, skips folder entries, and extracts them exactly', async () => {
    const tmp = await makeTempDir();
    const big = Buffer.alloc(300_000, 7);
    const zip = await makeZip([
      { path: 'model/' },
      { path: 'model/manifest.json', bytes: '{"a":1}' },
      { path: 'model/weights', bytes: big },
      { path: 'model/stored', bytes: 'plain', compress: false },
    ]);
    const archive = await openZip({ bytes: zip }, 'ok.zip', LIMITS);
    try {
      expect(archive.files.map((f) => [f.path, f.size])).toEqual([
        ['model/manifest.json', 7],
        ['model/weights', 300_000],
        ['model/stored', 5],
      ]);
      for (const [i, f] of archive.files.entries()) await archive.extract(f, path.join(tmp, String(i)));
    } finally {
      archive.close();
    }
    expect(await readFile(path.join(tmp, '1'))).toEqual(big);
    expect(await readFile(path.join(tmp, '2'), 'utf8')).toBe('plain');
  });

  it.each(['../evil', '/abs', 'C:\\x', 'C:/x', 'a/../../b', 'dir/\u001b[31mred', 'x:alt'])(
    'refuses the entry path %j before anything is written',
    async (name) => {
      await expectRefused(rawZip([file('ok'), file(name)]), 'zip-unsafe-path', name);
    },
  );

  it('decodes names itself: a patched central directory or a backslash name is refused, not rewritten', async () => {
    // yazl refuses to write "../evil", so a valid zip is patched in both headers.
    const patched = patchName(await makeZip([{ path: 'xx/evil', bytes: 'boom' }]), 'xx/evil', '../evil');
    await expectRefused(patched, 'zip-unsafe-path', '../evil');
    // A backslash would be turned into "/" by a lenient reader; here it is refused as it is written.
    await expectRefused(rawZip([file('..\\..\\evil')]), 'zip-unsafe-path', '..\\..\\evil');
    // A folder entry with an unsafe name too, although it has no data.
    await expectRefused(rawZip([file('../', '', { externalAttributes: 0o040755 << 16 })]), 'zip-unsafe-path');
  });

  it('refuses symbolic links, devices and pipes, from yazl and by hand', async () => {
    const link = await makeZip([
      { path: 'model/manifest.json', bytes: '{}' },
      { path: 'model/Variable_1', bytes: '/etc/passwd', mode: 0o120777 },
    ]);
    await expectRefused(link, 'zip-symlink', 'model/Variable_1');
    await expectRefused(
      rawZip([file('dir', '', { externalAttributes: 0o120755 << 16 })]),
      'zip-symlink',
      'dir',
    );
    await expectRefused(
      rawZip([file('fifo', '', { externalAttributes: 0o010644 << 16 })]),
      'zip-special-file',
      'fifo',
    );
    await expectRefused(
      rawZip([file('dev', '', { externalAttributes: 0o020644 << 16 })]),
      'zip-special-file',
      'dev',
    );
  });

  it('refuses encrypted entries and compression it cannot read', async () => {
    await expectRefused(
      rawZip([file('secret', 'x'.repeat(20), { flags: 0x801, method: 8, uncompressedSize: 99 })]),
      'zip-encrypted',
      'secret',
    );
    // Traditional encryption of a stored entry: 12 header bytes before the data.
    await expectRefused(
      rawZip([file('s', 'x'.repeat(20), { flags: 0x801, uncompressedSize: 8 })]),
      'zip-encrypted',
      's',
    );
    await expectRefused(rawZip([file('strong', 'x'.repeat(20), { flags: 0x841 })]), 'zip-encrypted');
    await expectRefused(
      rawZip([file('bz', 'BZh9', { method: 12, uncompressedSize: 100 })]),
      'zip-unsupported',
      'bz',
    );
  });

  it('refuses two entries that would land on the same file', async () => {
    await expectRefused(rawZip([file('m/a'), file('m/a')]), 'zip-duplicate-entry', 'm/a');
    await expectRefused(
      rawZip([file('m/Manifest.json'), file('m/manifest.json')]),
      'zip-duplicate-entry',
      'm/manifest.json',
    );
  });

  it('refuses more entries than the limit: declared in the end record, or really there', async () => {
    // The end record claims 65535 entries: refused before reading a single one.
    await expectRefused(rawZip([file('a')], { entryCount: 65535 }), 'zip-too-many-files');
    const many = await makeZip(
      Array.from({ length: 1001 }, (_, i) => ({ path: `f${i}`, bytes: '', compress: false })),
    );
    const error = await expectRefused(many, 'zip-too-many-files');
    expect(error.message).toMatch(/1001 entries.*at most 1000/);
  });

  it('refuses a declared total over the budget before inflating anything', async () => {
    // Honest headers: 600 MiB of zeros in 600 KiB. Nothing is inflated to find out.
    const bomb = rawZip([
      file('m/manifest.json', '{}'),
      file('m/zeros', deflatedZeros(600), { method: 8, uncompressedSize: 600 * MiB, crc32: 0 }),
    ]);
    await expectRefused(bomb, 'zip-too-large', 'm/zeros');
    // Many entries each under the budget, together over it.
    const parts = Array.from({ length: 6 }, (_, i) =>
      file(`m/part${i}`, deflatedZeros(100), { method: 8, uncompressedSize: 100 * MiB, crc32: 0 }),
    );
    await expectRefused(rawZip(parts), 'zip-too-large', 'm/part5');
  });

  it('stops a real zip bomb whose header lies, after writing no more than it declared', async () => {
    const tmp = await makeTempDir();
    // 1 GiB of zeros in 1 MiB of deflate data, declared as 1000 bytes.
    const bomb = rawZip([file('zeros', deflatedZeros(1024), { method: 8, uncompressedSize: 1000 })]);
    const archive = await openZip({ bytes: bomb }, 'hostile.zip', LIMITS);
    const destination = path.join(tmp, 'zeros');
    const error = await archive.extract(archive.files[0]!, destination).catch((e: unknown) => e);
    archive.close();
    expect(error).toBeInstanceOf(ModelImportError);
    expect(error).toMatchObject({ code: 'zip-corrupt' });
    expect((error as Error).message).toMatch(/"zeros"/);
    // The file may not even have been opened when inflating stopped.
    const written = await stat(destination).then(
      (s) => s.size,
      () => 0,
    );
    expect(written).toBeLessThanOrEqual(1000);
  });

  it('counts inflated bytes across entries against the budget', async () => {
    const tmp = await makeTempDir();
    const data = Buffer.alloc(3 * MiB, 1);
    const zip = await makeZip([
      { path: 'a', bytes: data },
      { path: 'b', bytes: data },
    ]);
    // Declared 6 MiB passes a 6 MiB budget; the counter must let exactly that through, not more.
    const archive = await openZip({ bytes: zip }, 'hostile.zip', { maxEntries: 10, maxTotalBytes: 6 * MiB });
    await archive.extract(archive.files[0]!, path.join(tmp, 'a'));
    await archive.extract(archive.files[1]!, path.join(tmp, 'b'));
    // Extracting again spends the budget a second time: refused.
    const again = await archive.extract(archive.files[0]!, path.join(tmp, 'c')).catch((e: unknown) => e);
    archive.close();
    expect(again).toMatchObject({ code: 'zip-too-large' });
    expect((await stat(path.join(tmp, 'c'))).size).toBeLessThan(3 * MiB);
  });

  it('refuses damaged archives: truncated, not a zip, bad checksum, bad deflate data', async () => {
    const tmp = await makeTempDir();
    const good = await makeZip([{ path: 'data', bytes: Buffer.alloc(50_000, 3) }]);
    await expectRefused(good.subarray(0, good.length - 30), 'zip-corrupt');
    await expectRefused(good.subarray(0, 100), 'zip-corrupt');
    await expectRefused(Buffer.from('PK\u0003\u0004 not really a zip at all, just text'), 'zip-corrupt');
    await expectRefused(new Uint8Array(0), 'zip-corrupt');

    const extractRefusal = async (zip: Buffer): Promise<unknown> => {
      const archive = await openZip({ bytes: zip }, 'hostile.zip', LIMITS);
      try {
        return await archive
          .extract(archive.files[0]!, path.join(tmp, `out-${Math.random()}`))
          .catch((e: unknown) => e);
      } finally {
        archive.close();
      }
    };
    const flipped = rawZip([file('data', 'hello world', { crc32: zlib.crc32('hello world') ^ 1 })]);
    expect(await extractRefusal(flipped)).toMatchObject({
      code: 'zip-corrupt',
      message: expect.stringMatching(/"data".*CRC-32/),
    });
    const garbage = rawZip([
      file('data', Buffer.from([0xff, 0xff, 0xff, 0xff]), { method: 8, uncompressedSize: 10 }),
    ]);
    expect(await extractRefusal(garbage)).toMatchObject({
      code: 'zip-corrupt',
      message: expect.stringMatching(/"data"/),
    });
    const short = rawZip([
      file('data', zlib.deflateRawSync('abc'), { method: 8, uncompressedSize: 10, crc32: zlib.crc32('abc') }),
    ]);
    expect(await extractRefusal(short)).toMatchObject({ code: 'zip-corrupt' });
  });
});

describe('importModel from hostile zips', () => {
  /** Imports `zip` into a library holding one model, expecting `code` and the library unchanged. */
  async function expectImportRefused(zip: Uint8Array, code: ModelImportErrorCode, entry?: string) {
    const tmp = await makeTempDir();
    const libraryDir = path.join(tmp, 'library');
    await writeFile(path.join(tmp, 'hostile.zip'), zip);
    await importModel({
      libraryDir,
      source: { kind: 'files', files: [{ path: 'existing/manifest.json', bytes: new Uint8Array([1]) }] },
      validate: async () => ({ format: 'ml5' }),
    });
    const before = await snapshotTree(libraryDir);
    let validated = false;
    const error = await importModel({
      libraryDir,
      source: { kind: 'zip', path: path.join(tmp, 'hostile.zip') },
      validate: async () => {
        validated = true;
        return { format: 'ml5' };
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelImportError);
    expect((error as ModelImportError).code, (error as Error).message).toBe(code);
    if (entry !== undefined) expect((error as Error).message).toContain(JSON.stringify(entry));
    expect(validated).toBe(false);
    expect(await snapshotTree(libraryDir)).toEqual(before);
    expect(await readdir(libraryDir)).toEqual(['existing']);
  }

  it('refuses each kind of hostile archive and leaves the library exactly as it was', async () => {
    await expectImportRefused(
      rawZip([file('m/manifest.json', '{}'), file('../evil')]),
      'zip-unsafe-path',
      '../evil',
    );
    await expectImportRefused(
      rawZip([file('manifest.json', '{}'), file('/etc/cron.d/x')]),
      'zip-unsafe-path',
    );
    await expectImportRefused(
      await makeZip([{ path: 'm/link', bytes: '/etc', mode: 0o120777 }]),
      'zip-symlink',
      'm/link',
    );
    await expectImportRefused(
      rawZip([file('m/a'), file('m/zeros', deflatedZeros(1024), { method: 8, uncompressedSize: 1000 })]),
      'zip-corrupt',
      'm/zeros',
    );
    await expectImportRefused(rawZip([file('m/a')], { entryCount: 5000 }), 'zip-too-many-files');
    await expectImportRefused(rawZip([file('a/x'), file('b/y')]), 'not-a-model');
    await expectImportRefused(
      await makeZip([{ path: 'empty/' }, { path: '__MACOSX/._x', bytes: 'j' }]),
      'not-a-model',
    );
  });

  it('refuses more model files than the limit, but not the junk beside them', async () => {
    const tmp = await makeTempDir();
    const entries = Array.from({ length: 150 }, (_, i) => ({ path: `m/f${i}`, bytes: '', compress: false }));
    const junk = entries.map((e) => ({ ...e, path: `__MACOSX/m/._${e.path.slice(2)}` }));
    const libraryDir = path.join(tmp, 'library');
    const validate = async () => ({ format: 'ml5' as const });
    const ok = await importModel({
      libraryDir,
      source: { kind: 'files', files: [{ path: 'm.zip', bytes: await makeZip([...entries, ...junk]) }] },
      validate,
    });
    expect(await readdir(ok.dir)).toHaveLength(151);
    const over = await importModel({
      libraryDir,
      source: { kind: 'files', files: [{ path: 'm.zip', bytes: await makeZip(entries) }] },
      validate,
      limits: { maxFiles: 149 },
    }).catch((e: unknown) => e);
    expect(over).toMatchObject({
      code: 'zip-too-many-files',
      message: expect.stringMatching(/150 files.*at most 149/),
    });
  });
});
