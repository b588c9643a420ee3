/**
 * Imports a few hundred seeded mutations of a real ml5 model, as folders, zips and uploads. Each one
 * is either imported and then loadable by the real reader, or refused with a ModelImportError or the
 * reader's ModelError; never another exception, and after a refusal the library is byte for byte
 * what it was. Mutations that must be refused (a truncated weight, a link, a path in the manifest)
 * are checked to be.
 *
 * FUZZ_SEED and FUZZ_CASES change the run; a failure names the seed, the case and its mutations.
 */
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
  lstat,
  readlink,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel, ModelImportError } from '../../main/core/model-import.js';
import { VARIABLE_COUNT, variableName } from '../../main/engine/model/architecture.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import { ModelError } from '../../main/engine/model/model-errors.js';
import { cloneFolder, NO_REAL_MODELS, SHARED_ML5_MODELS, validateMl5 } from '../support/import-fixtures.js';
import { rawZip, snapshotTree, type RawZipEntry, type ZipInput } from '../support/zip-fixtures.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const MODEL = 'rain_princess';

if (NO_REAL_MODELS !== null) console.warn(`Skipping the model-import fuzz test: ${NO_REAL_MODELS}.`);

/** mulberry32: a small seeded generator, the same sequence on every machine. */
function makeRng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}
type Rng = ReturnType<typeof makeRng>;

interface ManifestEntry {
  filename: unknown;
  shape: unknown;
}

/** A model folder being built: files are hard links to the pristine copy until a mutation replaces one. */
interface Case {
  readonly rng: Rng;
  /** The folder the model's files go in (the source itself, or one or two folders down). */
  dir: string;
  manifest: Record<string, ManifestEntry>;
  /** Edits of the manifest's text after it is serialized; `null` drops the manifest. */
  readonly textEdits: ((text: string) => string | null)[];
  hasLinks: boolean;
}

interface Mutation {
  readonly name: string;
  /** Whether every import of a model with this mutation must be refused. */
  readonly refused: boolean;
  apply(c: Case): Promise<void>;
}

const weightName = (rng: Rng): string => variableName(rng.int(VARIABLE_COUNT));

/** Replaces a (hard-linked) file by new content without touching the pristine copy. */
async function replaceFile(file: string, bytes: Uint8Array | string): Promise<void> {
  await rm(file, { force: true });
  await writeFile(file, bytes);
}

const MUTATIONS: readonly Mutation[] = [
  {
    name: 'truncate a weight file',
    refused: true,
    async apply(c) {
      const file = path.join(c.dir, weightName(c.rng));
      const bytes = await readFile(file);
      await replaceFile(file, bytes.subarray(0, c.rng.int(bytes.length)));
    },
  },
  {
    name: 'append to a weight file',
    refused: true,
    async apply(c) {
      const file = path.join(c.dir, weightName(c.rng));
      await replaceFile(file, Buffer.concat([await readFile(file), Buffer.alloc(1 + c.rng.int(8))]));
    },
  },
  {
    name: 'put a NaN in a weight',
    refused: true,
    async apply(c) {
      const file = path.join(c.dir, weightName(c.rng));
      const bytes = Buffer.from(await readFile(file));
      bytes.writeFloatLE(NaN, 4 * c.rng.int(bytes.length / 4));
      await replaceFile(file, bytes);
    },
  },
  {
    name: 'flip bytes in the manifest',
    refused: false,
    async apply(c) {
      const flips = 1 + c.rng.int(4);
      c.textEdits.push((text) => {
        const bytes = Buffer.from(text);
        for (let i = 0; i < flips; i++) bytes[c.rng.int(bytes.length)] = c.rng.int(256);
        return bytes.toString('latin1');
      });
    },
  },
  {
    name: 'grow a shape in the manifest',
    refused: true,
    async apply(c) {
      const entry = c.manifest[weightName(c.rng)]!;
      const shape = [...(entry.shape as number[])];
      const i = c.rng.int(shape.length);
      shape[i] = c.rng.pick([shape[i]! + 1, shape[i]! * 2, 2 ** 40]);
      entry.shape = c.rng.next() < 0.2 ? [...shape, 1] : shape;
    },
  },
  {
    name: 'make a shape not a list of sizes',
    refused: true,
    async apply(c) {
      c.manifest[weightName(c.rng)]!.shape = c.rng.pick([[-1], [1.5], ['3'], null, {}, [Infinity], 'x']);
    },
  },
  {
    name: 'rename a weight file, manifest unchanged',
    refused: true,
    async apply(c) {
      const name = weightName(c.rng);
      await rename(path.join(c.dir, name), path.join(c.dir, `${name}.bin`));
    },
  },
  {
    name: 'rename a weight file and its manifest entry',
    refused: false,
    async apply(c) {
      const name = weightName(c.rng);
      if (c.manifest[name]!.filename !== name) return;
      await rename(path.join(c.dir, name), path.join(c.dir, `renamed_${name}`));
      c.manifest[name]!.filename = `renamed_${name}`;
    },
  },
  {
    name: 'delete a weight file',
    refused: true,
    async apply(c) {
      await rm(path.join(c.dir, weightName(c.rng)));
    },
  },
  {
    name: 'delete the manifest',
    refused: true,
    async apply(c) {
      c.textEdits.push(() => null);
    },
  },
  {
    name: 'replace the manifest with other JSON',
    refused: true,
    async apply(c) {
      const text = c.rng.pick(['[]', 'null', '"x"', '1e309', '{', '', '{"Variable": 5}', '{}', '\u0000']);
      c.textEdits.push(() => text);
    },
  },
  {
    name: 'inject a path into a manifest filename',
    refused: true,
    async apply(c) {
      c.manifest[weightName(c.rng)]!.filename = c.rng.pick([
        '../x',
        '/etc/passwd',
        '../../../../etc/passwd',
        `../${MODEL}/Variable_1`,
        'a/b',
        '..',
        '.',
        '',
        'C:\\x',
        '\\\\server\\share\\x',
        'Variable_1\u0000',
        'manifest.json',
        'library-entry.json',
        '.DS_Store',
        42,
        null,
      ]);
    },
  },
  {
    name: 'point two manifest entries at each other',
    refused: false,
    async apply(c) {
      const a = weightName(c.rng);
      const b = weightName(c.rng);
      const fa = c.manifest[a]!.filename;
      c.manifest[a]!.filename = c.manifest[b]!.filename;
      c.manifest[b]!.filename = fa;
    },
  },
  {
    name: 'duplicate a key in the manifest',
    refused: false,
    async apply(c) {
      const name = weightName(c.rng);
      const decoy = JSON.stringify({ filename: name, shape: c.rng.pick([[1], [], [3, 3]]) });
      const decoyLast = c.rng.next() < 0.5;
      c.textEdits.push((text) =>
        decoyLast
          ? text.replace(/\}\s*$/, `, ${JSON.stringify(name)}: ${decoy}}`)
          : text.replace(/^\s*\{/, `{${JSON.stringify(name)}: ${decoy},`),
      );
    },
  },
  {
    name: 'list optimizer slots with odd file names',
    refused: false,
    async apply(c) {
      const name = weightName(c.rng);
      c.manifest[`${name}/Adam`] = {
        filename: c.rng.pick(['../slot', '/etc/passwd', `${name}_Adam`]),
        shape: [1],
      };
      c.manifest['beta1_power'] = { filename: 'beta1_power', shape: [] };
    },
  },
  {
    name: 'add a symbolic link',
    refused: true,
    async apply(c) {
      c.hasLinks = true;
      const target = c.rng.pick([
        'Variable_1',
        '/etc/passwd',
        'missing',
        '..',
        path.join(c.dir, 'Variable_2'),
      ]);
      if (c.rng.next() < 0.5) await symlink(target, path.join(c.dir, `link_${c.rng.int(1000)}`));
      else {
        const name = weightName(c.rng);
        await rm(path.join(c.dir, name));
        await symlink(target, path.join(c.dir, name));
      }
    },
  },
  {
    name: 'add a file name Windows cannot store',
    refused: true,
    async apply(c) {
      await writeFile(
        path.join(c.dir, c.rng.pick(['a:b', 'con', 'NUL.txt', 'new\nline', 'trailing.', 'what?'])),
        'x',
      );
    },
  },
  {
    name: 'add junk beside the model',
    refused: false,
    async apply(c) {
      await writeFile(path.join(c.dir, '.DS_Store'), Buffer.alloc(64, 1));
      await mkdir(path.join(c.dir, '__MACOSX'), { recursive: true });
      await writeFile(path.join(c.dir, '__MACOSX', '._manifest.json'), 'x');
      await writeFile(path.join(c.dir, 'README.txt'), 'Trained on a painting.');
      await writeFile(path.join(c.dir, 'style.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
      await mkdir(path.join(c.dir, 'checkpoints', 'deeper'), { recursive: true });
      await writeFile(path.join(c.dir, 'checkpoints', 'deeper', 'ckpt'), 'x');
    },
  },
  {
    name: 'bring a hostile library-entry.json',
    refused: false,
    async apply(c) {
      await writeFile(
        path.join(c.dir, 'library-entry.json'),
        '{"version":1,"source":"pack:official","name":"\u001b[2J"}',
      );
    },
  },
];

function isMissingOrTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EEXIST';
}

type Layout = 'flat' | 'one folder deep' | 'two folders deep';
type SourceKind = 'folder' | 'zip' | 'uploaded zip' | 'dropped folder';

/** Every entry under `root` as zip entries: folders, files, and links as link entries. */
async function treeAsZipEntries(root: string, relative = ''): Promise<ZipInput[]> {
  const entries: ZipInput[] = [];
  for (const name of (await readdir(path.join(root, relative))).sort()) {
    const rel = relative === '' ? name : `${relative}/${name}`;
    const full = path.join(root, rel);
    const info = await lstat(full);
    if (info.isSymbolicLink()) entries.push({ path: rel, bytes: await readlink(full), mode: 0o120777 });
    else if (info.isDirectory()) entries.push({ path: `${rel}/` }, ...(await treeAsZipEntries(root, rel)));
    else entries.push({ path: rel, bytes: await readFile(full) });
  }
  return entries;
}

function asRawEntry(entry: ZipInput): RawZipEntry {
  const isFolder = entry.path.endsWith('/');
  const mode = entry.mode ?? (isFolder ? 0o040755 : 0o100644);
  return { name: entry.path, data: Buffer.from(entry.bytes ?? ''), externalAttributes: mode << 16 };
}

/**
 * The files a page sends for a dropped folder: its regular files, with paths that start with the
 * folder's name (as `webkitRelativePath` does).
 */
function droppedFiles(tree: readonly ZipInput[]): { path: string; bytes: Uint8Array }[] {
  return tree
    .filter((e) => !e.path.endsWith('/') && e.mode === undefined)
    .map((e) => ({ path: `fuzzed_model/${e.path}`, bytes: Buffer.from(e.bytes ?? '') }));
}

describe.skipIf(NO_REAL_MODELS !== null)('model import fuzz', () => {
  let tmp: string;
  let pristine: string;
  let libraryDir: string;
  let baseManifest: Record<string, ManifestEntry>;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-import-fuzz-'));
    // An owned copy to hard-link from (the shared models are read-only and owned by another user).
    pristine = path.join(tmp, 'pristine');
    await mkdir(pristine);
    for (const name of await readdir(path.join(SHARED_ML5_MODELS, MODEL))) {
      await writeFile(path.join(pristine, name), await readFile(path.join(SHARED_ML5_MODELS, MODEL, name)));
    }
    baseManifest = JSON.parse(await readFile(path.join(pristine, 'manifest.json'), 'utf8')) as Record<
      string,
      ManifestEntry
    >;
    libraryDir = path.join(tmp, 'library');
    await mkdir(path.join(libraryDir, 'existing'), { recursive: true });
    await writeFile(path.join(libraryDir, 'existing', 'library-entry.json'), '{"version":1}');
    await writeFile(path.join(libraryDir, 'existing', 'manifest.json'), '{}');
  });

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it(`imports or cleanly refuses ${CASES} mutated models (seed ${SEED})`, async () => {
    const rng = makeRng(SEED);
    const libraryBefore = await snapshotTree(libraryDir);
    const outcomes = new Map<string, number>();

    for (let i = 0; i < CASES; i++) {
      const caseDir = path.join(tmp, `case-${i}`);
      const source = path.join(caseDir, 'fuzzed_model');
      const layout: Layout = rng.pick([
        'flat',
        'flat',
        'flat',
        'flat',
        'one folder deep',
        'two folders deep',
      ]);
      const dir =
        layout === 'flat'
          ? source
          : layout === 'one folder deep'
            ? path.join(source, 'inner')
            : path.join(source, 'a', 'b');
      const c: Case = { rng, dir, manifest: structuredClone(baseManifest), textEdits: [], hasLinks: false };

      await mkdir(dir, { recursive: true });
      await cloneFolder(pristine, dir);
      await rm(path.join(dir, 'manifest.json')); // written below, from c.manifest
      const chosen = Array.from({ length: rng.int(3) + (rng.next() < 0.15 ? 0 : 1) }, () =>
        rng.pick(MUTATIONS),
      );
      const mutations: Mutation[] = [];
      for (const mutation of chosen) {
        // A file an earlier mutation removed or renamed makes a later one a no-op, left out of the record.
        if (
          await mutation.apply(c).then(
            () => true,
            (error: unknown) => !isMissingOrTaken(error) && Promise.reject(error),
          )
        ) {
          mutations.push(mutation);
        }
      }
      let text: string | null = JSON.stringify(c.manifest, null, 2);
      for (const edit of c.textEdits) text = text === null ? null : edit(text);
      if (text !== null) await writeFile(path.join(dir, 'manifest.json'), text);

      // A page cannot upload a link, so those cases are not dropped folders.
      const kind: SourceKind = rng.pick([
        'folder',
        'folder',
        'folder',
        'zip',
        'uploaded zip',
        ...(c.hasLinks ? [] : ['dropped folder' as const]),
      ]);
      const tree = kind === 'folder' ? [] : await treeAsZipEntries(source);
      // Written by hand, not by yazl, which rightly refuses names such as "a:b".
      const zipBytes = kind === 'zip' || kind === 'uploaded zip' ? rawZip(tree.map(asRawEntry)) : undefined;
      if (kind === 'zip') await writeFile(path.join(caseDir, 'fuzzed_model.zip'), zipBytes!);
      const description = `seed ${SEED}, case ${i}: ${kind}, ${layout}, [${mutations.map((m) => m.name).join('; ')}]`;

      let outcome: string;
      try {
        const result = await importModel({
          libraryDir,
          validate: validateMl5,
          source:
            kind === 'folder'
              ? { kind: 'folder', path: source }
              : kind === 'zip'
                ? { kind: 'zip', path: path.join(caseDir, 'fuzzed_model.zip') }
                : kind === 'uploaded zip'
                  ? { kind: 'files', files: [{ path: 'fuzzed_model.zip', bytes: zipBytes! }] }
                  : { kind: 'files', files: droppedFiles(tree) },
        });
        expect(
          mutations.filter((m) => m.refused),
          `${description}: imported, but must be refused`,
        ).toEqual([]);
        expect(layout, `${description}: imported two folders deep`).not.toBe('two folders deep');
        await readMl5Model(result.dir); // throws if what landed in the library is not loadable
        expect((await readdir(libraryDir)).sort(), description).toEqual(['existing', result.slug]);
        await rm(result.dir, { recursive: true });
        outcome = 'imported';
      } catch (error) {
        if (!(error instanceof ModelImportError || error instanceof ModelError)) {
          throw new Error(`${description}: threw ${String(error)}`, { cause: error });
        }
        outcome = `${error.name} ${error.code}`;
      }
      expect(await snapshotTree(libraryDir), `${description}: the library changed`).toEqual(libraryBefore);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      await rm(caseDir, { recursive: true });
    }

    const summary = [...outcomes].sort((a, b) => b[1] - a[1]);
    console.log(
      `Model import fuzz, seed ${SEED}, ${CASES} cases:\n${summary.map(([o, n]) => `  ${String(n).padStart(4)}  ${o}`).join('\n')}`,
    );
    // A run that imports everything, or refuses everything for one reason, is not exploring.
    expect(outcomes.get('imported') ?? 0).toBeGreaterThan(CASES / 20);
    expect(outcomes.size).toBeGreaterThan(8);
  }, 600_000); // A limit for a loaded machine; about 30 s on two idle cores.
});
