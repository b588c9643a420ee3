/**
 * The models the mirror can show, from three folders: the bundled models (read-only, ship with the
 * app), the library (models imported or downloaded into the app's data folder: these can be renamed
 * and deleted) and the person's own models folder (`--models`, left as it is). A model is a visible
 * sub-folder in one of them holding a model in a format the engine runs. Listing is cheap on purpose
 * (a directory read and a few `stat`s per model): weights are validated in full by the engine when a
 * model is loaded or imported.
 */
import { randomBytes } from 'node:crypto';
import { opendir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFormat, ModelInfo } from '../../common/contract.js';
import { detectModelFormat, holdsModelFile } from '../engine/model/read-style-model.js';
import { ModelNameSchema, readLibraryEntry, writeLibraryEntry } from './library-entry.js';

/** Most models listed from one folder; a folder with more is not a model library a person browses. */
export const MAX_MODELS_PER_FOLDER = 500;
/** Most directory entries looked at in one folder, so a huge unrelated folder costs a bounded scan. */
const MAX_ENTRIES_SCANNED = 10_000;
/** Largest style image returned: a painting for the picker, not a print master. */
export const MAX_STYLE_IMAGE_BYTES = 20 * 1024 * 1024;

/** Style image file names, in the order they are preferred when a folder has several. */
const STYLE_IMAGE_NAMES = ['style.jpg', 'style.jpeg', 'style.png', 'style.webp'];

export type ModelSource = ModelInfo['source'];

/** Every source of models, in the order a listing reads them. */
const MODEL_SOURCES: readonly ModelSource[] = ['bundled', 'library', 'user'];

const SOURCE_NAMES: Record<ModelSource, string> = {
  bundled: 'the bundled styles',
  library: 'the style library',
  user: 'your models folder',
};

/** Why the library refused a request. Stable strings: the UI and tests match on them. */
export type ModelLibraryErrorCode =
  | 'invalid-model-id'
  | 'model-not-found'
  | 'model-read-only'
  | 'invalid-model-name'
  | 'style-image-too-large'
  | 'style-image-invalid';

/** A model id the library cannot serve; the message names the id and what to do. */
export class ModelLibraryError extends Error {
  override readonly name = 'ModelLibraryError';

  constructor(
    readonly code: ModelLibraryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where an import copies a model before it moves it into the library in one rename. */
export const STAGING_PREFIX = '.staging-';
/** Where a deleted model goes, in one rename, before its files are removed. */
const REMOVING_PREFIX = '.removing-';
/** What an import or a delete leaves behind when cut short. */
const LEFTOVER_PREFIXES = [STAGING_PREFIX, REMOVING_PREFIX] as const;
/** Leftovers younger than this may belong to an import still under way in another process. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

export interface ModelLibraryOptions {
  /** The models that ship with the app. */
  readonly bundledDir: string;
  /** The app's library of imported and downloaded models; absent: none (tests of the other sources). */
  readonly libraryDir?: string;
  /** The user's models folder, read on every call so a settings change takes effect at once; null: none. */
  readonly userDir: () => string | null;
  /** Most models listed per folder; default {@link MAX_MODELS_PER_FOLDER}. */
  readonly maxModelsPerFolder?: number;
}

/** The bundled, library and user's style models, by id (`bundled:<folder>`, `library:<folder>`, `user:<folder>`). */
export class ModelLibrary {
  private readonly maxModels: number;

  constructor(private readonly options: ModelLibraryOptions) {
    this.maxModels = options.maxModelsPerFolder ?? MAX_MODELS_PER_FOLDER;
  }

  /** Where imported and downloaded models go; undefined when this library has none. */
  get libraryDir(): string | undefined {
    return this.options.libraryDir;
  }

  /**
   * Removes what an import or a delete cut short left in the library folder (`.staging-*`,
   * `.removing-*`: never listed as models, but still taking space), when older than `olderThanMs`,
   * so one under way in another process is left alone. Resolves to the names removed; never throws.
   */
  async sweepLeftovers(olderThanMs = LEFTOVER_AGE_MS, now = Date.now()): Promise<string[]> {
    const dir = this.options.libraryDir;
    if (dir === undefined) return [];
    const removed: string[] = [];
    try {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (!LEFTOVER_PREFIXES.some((prefix) => entry.name.startsWith(prefix)) || !entry.isDirectory())
          continue;
        const leftover = path.join(dir, entry.name);
        const { mtimeMs } = await stat(leftover);
        if (now - mtimeMs < olderThanMs) continue;
        await rm(leftover, { recursive: true, force: true });
        removed.push(entry.name);
      }
    } catch {
      // A missing or unreadable library: nothing to sweep, and nothing a person must hear about.
    }
    return removed;
  }

  /** Every model, sorted by display name. A missing or unreadable folder contributes none; never throws. */
  async list(): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    for (const source of MODEL_SOURCES) {
      const root = this.root(source);
      if (root === null) continue;
      const folders = await listModelFolders(root, this.maxModels);
      models.push(...(await Promise.all(folders.map((folder) => describeModel(source, root, folder)))));
    }
    return models.sort((a, b) => a.name.localeCompare(b.name, 'en') || compare(a.id, b.id));
  }

  /**
   * The folder of model `id` and its description. An id can only name a folder directly inside its
   * source folder; that folder may be a link (a person may link models kept elsewhere into theirs).
   *
   * @throws {ModelLibraryError} `invalid-model-id` for an id that is malformed or names anything but a
   *   plain folder (`user:../x`, `user:a/b`), `model-not-found` when there is no such model folder.
   */
  async resolve(id: string): Promise<{ dir: string; info: ModelInfo }> {
    const { source, folder } = parseModelId(id);
    const root = this.root(source);
    if (root === null) {
      throw new ModelLibraryError(
        'model-not-found',
        source === 'user'
          ? `No style model ${JSON.stringify(id)}: no folder of your own models is set. Choose one in the settings.`
          : `No style model ${JSON.stringify(id)}: there is no style library here.`,
      );
    }
    const dir = path.join(root, folder);
    if (!(await holdsModelFile(dir))) {
      throw new ModelLibraryError(
        'model-not-found',
        `No style model ${JSON.stringify(id)}: there is no model folder ${JSON.stringify(folder)} in ${SOURCE_NAMES[source]}.`,
      );
    }
    return { dir, info: await describeModel(source, root, folder) };
  }

  /**
   * Gives library model `id` a new name for people (its id stays). Returns the updated description.
   *
   * @throws {ModelLibraryError} as {@link resolve} does; `model-read-only` for a bundled model or one in
   *   the person's own folder; `invalid-model-name` for an empty, overlong or garbled name.
   */
  async rename(id: string, name: string): Promise<ModelInfo> {
    const { dir, info } = await this.resolveEditable(id);
    const parsed = ModelNameSchema.safeParse(name);
    if (!parsed.success) {
      throw new ModelLibraryError(
        'invalid-model-name',
        `Cannot rename ${JSON.stringify(info.name)}: ${parsed.error.issues[0]?.message ?? 'bad name'}.`,
      );
    }
    const entry = await readLibraryEntry(dir);
    await writeLibraryEntry(dir, {
      ...(entry ?? { version: 1, format: info.format, source: 'imported' }),
      name: parsed.data,
    });
    return (await this.resolve(id)).info;
  }

  /**
   * Deletes library model `id`. The folder first leaves the library in one rename (a crash halfway
   * never leaves half a model listed), then is removed.
   *
   * @throws {ModelLibraryError} as {@link rename} does.
   */
  async remove(id: string): Promise<void> {
    const { dir } = await this.resolveEditable(id);
    const doomed = path.join(path.dirname(dir), `${REMOVING_PREFIX}${randomBytes(6).toString('hex')}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  /** {@link resolve}, for a model that may be renamed or deleted; `model-read-only` otherwise. */
  async resolveEditable(id: string): Promise<{ dir: string; info: ModelInfo }> {
    const resolved = await this.resolve(id);
    if (!resolved.info.editable) {
      throw new ModelLibraryError(
        'model-read-only',
        `${JSON.stringify(resolved.info.name)} is ${resolved.info.source === 'bundled' ? 'bundled with Style Mirror' : 'in your own models folder'}: only styles in the library can be renamed or deleted.`,
      );
    }
    return resolved;
  }

  /**
   * The painting model `id` was trained on, or null when its folder has none. The type comes from the
   * file's content, not its name.
   *
   * @throws {ModelLibraryError} as {@link resolve} does; `style-image-too-large` over
   *   {@link MAX_STYLE_IMAGE_BYTES}; `style-image-invalid` for a file that is not a JPEG, PNG or WebP.
   */
  async styleImage(id: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; mimeType: string } | null> {
    const { dir } = await this.resolve(id);
    const file = await findStyleImage(dir);
    if (file === null) return null;

    const bytes = await readAtMost(file, MAX_STYLE_IMAGE_BYTES);
    if (bytes === null) {
      throw new ModelLibraryError(
        'style-image-too-large',
        `The style image of ${JSON.stringify(id)} (${file}) is larger than ${MAX_STYLE_IMAGE_BYTES / 1024 / 1024} MB; save a smaller copy.`,
      );
    }
    const mimeType = sniffImageType(bytes);
    if (mimeType === undefined) {
      throw new ModelLibraryError(
        'style-image-invalid',
        `The style image of ${JSON.stringify(id)} (${file}) is not a JPEG, PNG or WebP image.`,
      );
    }
    return { bytes, mimeType };
  }

  private root(source: ModelSource): string | null {
    if (source === 'bundled') return this.options.bundledDir;
    if (source === 'library') return this.options.libraryDir ?? null;
    const dir = this.options.userDir();
    return dir === null || dir === '' ? null : path.resolve(dir);
  }
}

/**
 * Splits a model id into its source and folder name.
 *
 * @throws {ModelLibraryError} `invalid-model-id` unless the id is `bundled:<folder>` or `user:<folder>`
 *   with a plain, visible folder name (no separators, no `..`, no control characters).
 */
export function parseModelId(id: string): { source: ModelSource; folder: string } {
  const match =
    typeof id === 'string' && id.length <= 1024 ? /^(bundled|library|user):(.*)$/s.exec(id) : null;
  const folder = match?.[2];
  if (match === null || folder === undefined || !isModelFolderName(folder)) {
    throw new ModelLibraryError(
      'invalid-model-id',
      `${JSON.stringify(id)} is not a model id: ids are "bundled:<folder>", "library:<folder>" or "user:<folder>", where <folder> is the name of a model folder.`,
    );
  }
  return { source: match[1] as ModelSource, folder };
}

/** The id of the model in `folder` of `source`. */
export function modelId(source: ModelSource, folder: string): string {
  return `${source}:${folder}`;
}

/**
 * Whether `name` can be a model folder: a plain, visible file name. Hidden folders (`.git`, `.cache`)
 * are never models, and separators or control characters would let an id point elsewhere or garble
 * what a person reads.
 */
export function isModelFolderName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    // '.' and '..' start with a dot too; named anyway, since they are the escapes that matter.
    name !== '.' &&
    name !== '..' &&
    !name.startsWith('.') &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    !/[/\\\u0000-\u001f\u007f]/.test(name)
  );
}

/** A folder name for people: "rain_princess" -> "Rain Princess", "la-muse" -> "La Muse". */
export function displayName(folder: string): string {
  const words = folder.split(/[\s_-]+/).filter((w) => w !== '');
  if (words.length === 0) return folder;
  return words.map((w) => w.charAt(0).toLocaleUpperCase('en') + w.slice(1)).join(' ');
}

/**
 * Names of the model folders directly inside `root` (visible sub-folders holding a model), in
 * code-point order, at most `limit` of them. A missing or unreadable `root` has none; never throws.
 * The CLI resolves model names with this too.
 */
export async function listModelFolders(root: string, limit = MAX_MODELS_PER_FOLDER): Promise<string[]> {
  const candidates: string[] = [];
  try {
    const dir = await opendir(root);
    let scanned = 0;
    for await (const entry of dir) {
      // Files are never models; links and unknown types may point at a folder, which stat decides.
      if (isModelFolderName(entry.name) && !entry.isFile()) candidates.push(entry.name);
      if (++scanned >= MAX_ENTRIES_SCANNED) break; // Leaving the loop early closes the directory.
    }
  } catch {
    return [];
  }
  candidates.sort(compare);
  const isModel = await Promise.all(candidates.map((name) => holdsModelFile(path.join(root, name))));
  return candidates.filter((_, i) => isModel[i]).slice(0, limit);
}

async function describeModel(source: ModelSource, root: string, folder: string): Promise<ModelInfo> {
  const dir = path.join(root, folder);
  // Bundled and library models carry an entry; a person's own folder may carry one too (a model they
  // exported), but what it says of where the model came from is theirs to change.
  const [entry, format, styleImage] = await Promise.all([
    readLibraryEntry(dir),
    formatOf(dir),
    findStyleImage(dir),
  ]);
  return {
    id: modelId(source, folder),
    name: entry?.name ?? displayName(folder),
    source,
    format: format ?? 'ml5',
    hasStyleImage: styleImage !== null,
    ...(entry?.licence === undefined ? {} : { licence: entry.licence }),
    ...(source === 'library' && entry?.addedAt !== undefined ? { addedAt: entry.addedAt } : {}),
    editable: source === 'library',
  };
}

/** The format the engine will read `dir` as, or undefined when it cannot tell (the load says why). */
async function formatOf(dir: string): Promise<ModelFormat | undefined> {
  try {
    return (await detectModelFormat(dir)).format;
  } catch {
    return undefined;
  }
}

/**
 * The real path of the model's style image, or null. Matched case-insensitively ("Style.JPG" counts);
 * a link is followed only when it stays inside the model folder, and only a regular file counts.
 */
async function findStyleImage(dir: string): Promise<string | null> {
  let root: string;
  let names: string[];
  try {
    root = await realpath(dir);
    names = await readdir(root);
  } catch {
    return null;
  }
  for (const wanted of STYLE_IMAGE_NAMES) {
    const name = names.find((n) => n.toLowerCase() === wanted);
    if (name === undefined) continue;
    try {
      const real = await realpath(path.join(root, name));
      const relative = path.relative(root, real);
      if (relative.startsWith('..') || path.isAbsolute(relative) || relative.includes(path.sep)) continue;
      if ((await stat(real)).isFile()) return real;
    } catch {
      // A dangling link: no image.
    }
  }
  return null;
}

/**
 * The bytes of `file`, or null when it holds more than `limit`. Read through one handle, at most one
 * byte past the limit: a size checked first could change before the read, and some files report none.
 */
async function readAtMost(file: string, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const handle = await open(file, 'r');
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total <= limit) {
      const chunk = new Uint8Array(Math.min(1024 * 1024, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > limit) return null;
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** The image type of `bytes` from its signature, or undefined for anything but JPEG, PNG and WebP. */
function sniffImageType(bytes: Uint8Array): string | undefined {
  const starts = (signature: number[], offset = 0): boolean =>
    signature.every((b, i) => bytes[offset + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

/** Locale-free order, the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
