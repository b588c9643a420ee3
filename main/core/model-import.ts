/**
 * Adds a style model to the model library from a folder, a zip file, or the files a page uploaded.
 *
 * All or nothing: the model's files are copied (or unpacked) into `<libraryDir>/.staging-<random>/`,
 * validated there by the injected reader, given their `library-entry.json`, and only then moved to
 * `<libraryDir>/<slug>` with one `rename` on the same file system. Any refusal, error or abort removes
 * the staging folder, so the library is exactly as it was.
 *
 * Sources are hostile until proven otherwise: only regular files are copied, never a link, device or
 * pipe; paths, file count and bytes are bounded ({@link IMPORT_LIMITS}); a zip is checked entry by
 * entry before anything is written (see zip-extract.ts).
 */
import { constants } from 'node:fs';
import {
  lstat,
  mkdir,
  mkdtemp,
  open,
  opendir,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  formatBytes,
  isSystemError,
  ModelImportError,
  quote,
  systemErrorDetail,
  type ModelImportErrorCode,
} from './model-import-error.js';
import type { ModelFormat, ModelLicence } from '../../common/contract.js';
import {
  LIBRARY_ENTRY_FILE,
  LibraryEntrySchema,
  MAX_MODEL_NAME_LENGTH,
  type LibraryEntry,
} from './library-entry.js';
import { displayName, STAGING_PREFIX } from './model-library.js';
import { readStyleModel } from '../engine/model/read-style-model.js';
import { openZip, relativePathProblem, type ZipArchive } from './zip-extract.js';

export { ModelImportError, type ModelImportErrorCode } from './model-import-error.js';

/** What one import may bring in. */
export interface ImportLimits {
  /** Most files in the model folder (hidden files and sub-folders are not copied and not counted). */
  readonly maxFiles: number;
  /** Most bytes of the model's files together; for a zip, of all its entries, declared and inflated. */
  readonly maxTotalBytes: number;
  /** Most entries looked at: a zip's central directory, a folder's listing, an upload's file list. */
  readonly maxEntries: number;
}

/**
 * The limits, in one place. A real ml5 model is 49 files and 6.7 MB (about 150 files and 20 MB with
 * the optimizer slots a training run leaves); tfjs and ONNX models are a few files of at most ~100 MB.
 */
export const IMPORT_LIMITS: ImportLimits = {
  maxFiles: 200,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntries: 1000,
};

/** Longest slug (the model's folder name in the library). */
export const MAX_SLUG_LENGTH = 64;

const MODEL_FORMATS: readonly ModelFormat[] = ['ml5', 'tfjs-graph', 'onnx'];

/** Checks a model folder; throws the engine's `ModelError` when it is not a model it can load. */
export type ModelValidator = (dir: string) => Promise<{ format: ModelFormat }>;

/** The validator every import uses outside tests: the engine's own reader, in full. */
export const validateWithEngine: ModelValidator = async (dir) => ({
  format: (await readStyleModel(dir)).format,
});

/** One file of an upload: its path relative to what was dropped (`/`-separated) and its content. */
export interface ImportFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export type ImportSource =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'zip'; readonly path: string }
  /** A page's upload: a dropped folder's files, or a single `.zip` file's bytes. */
  | { readonly kind: 'files'; readonly files: readonly ImportFile[] };

export type LibrarySourceTag = 'imported' | `pack:${string}`;

type Licence = ModelLicence;

export interface ImportProgress {
  /** `copying`/`extracting`: bytes of the model's files; `validating`, `finishing`: 0 or 1 of 1. */
  readonly stage: 'copying' | 'extracting' | 'validating' | 'finishing';
  readonly done: number;
  readonly total: number;
}

export interface ImportModelOptions {
  /** The library folder; created if missing. */
  readonly libraryDir: string;
  readonly source: ImportSource;
  /** Display name; default: the folder's or zip's name for people ("rain_princess" -> "Rain Princess"). */
  readonly name?: string;
  readonly validate: ModelValidator;
  readonly sourceTag?: LibrarySourceTag;
  readonly licence?: Licence;
  /** What it was imported from, for people: a file name or URL, never a local path. Default: the source's file name. */
  readonly origin?: string;
  /** Aborting removes everything the import wrote; it then rejects with `import-aborted`. */
  readonly signal?: AbortSignal;
  /** Called as the import advances; the promise resolving is the last word. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Tighter (or, for tests, other) limits than {@link IMPORT_LIMITS}. */
  readonly limits?: Partial<ImportLimits>;
}

export interface ImportedModel {
  /** `library:<slug>` */
  readonly id: string;
  readonly slug: string;
  /** `<libraryDir>/<slug>` */
  readonly dir: string;
  readonly name: string;
  readonly format: ModelFormat;
}

/**
 * Imports one model into `libraryDir` and returns where it went.
 *
 * The model folder is the source's top level when it holds files, else its only folder (the layout a
 * zip of a training run has: `my_style/manifest.json`). Only the regular files directly in the model
 * folder are copied; hidden files, `__MACOSX/`, sub-folders and any `library-entry.json` are left out.
 *
 * @throws {ModelImportError} for a source refused before or while copying, an invalid name or option,
 *   a library that cannot be written, or an abort (`import-aborted`).
 * @throws the validator's own error (the engine's `ModelError`) when the files are not a loadable model.
 */
export async function importModel(options: ImportModelOptions): Promise<ImportedModel> {
  const { signal } = options;
  checkPathOption(options.libraryDir, 'libraryDir must be the path of the library folder.');
  const limits: ImportLimits = { ...IMPORT_LIMITS, ...options.limits };
  const name = options.name === undefined ? undefined : checkName(options.name);
  const entry = {
    source: checkSourceTag(options.sourceTag ?? 'imported'),
    licence: options.licence === undefined ? undefined : checkLicence(options.licence),
    origin: options.origin === undefined ? undefined : checkOrigin(options.origin),
  };
  try {
    signal?.throwIfAborted();
    const source = await listSource(options.source, limits, signal);
    try {
      return await addToLibrary(source, {
        ...options,
        name: name ?? defaultName(source.baseName),
        entry: { ...entry, origin: entry.origin ?? printableOrigin(source.origin) },
      });
    } finally {
      source.close();
    }
  } catch (error) {
    if (signal?.aborted === true && isAbort(error, signal)) {
      const message = 'The import was cancelled; nothing was added to the library.';
      throw new ModelImportError('import-aborted', message, { cause: error });
    }
    throw error;
  }
}

/** A source whose files were listed and checked and whose model folder was found; nothing written yet. */
interface ListedSource {
  /** The source's own name (folder or zip base name), null when it has none. */
  readonly baseName: string | null;
  /** Default `origin`: the folder's or zip's file name. */
  readonly origin: string | undefined;
  readonly stage: 'copying' | 'extracting';
  /** The files of the model folder, to be copied under their `name`. */
  readonly files: readonly ListedFile[];
  close(): void;
}

interface ListedFile {
  /** Its file name in the model folder. */
  readonly name: string;
  readonly size: number;
  /** Writes its bytes to the new file `destination`. */
  copyTo(destination: string, signal?: AbortSignal): Promise<void>;
}

async function addToLibrary(
  source: ListedSource,
  options: ImportModelOptions & {
    name: string;
    entry: Omit<LibraryEntry, 'version' | 'name' | 'format' | 'addedAt'>;
  },
): Promise<ImportedModel> {
  const { libraryDir, signal, onProgress, name } = options;
  const baseSlug = modelSlug(name);
  await writingLibrary('create the library folder', () => mkdir(libraryDir, { recursive: true }));
  const staging = await writingLibrary('create a staging folder', () =>
    mkdtemp(path.join(libraryDir, STAGING_PREFIX)),
  );
  try {
    // Named like the model, so the reader's messages name it ("Style model "rain_princess", ...").
    const modelDir = path.join(staging, baseSlug);
    await writingLibrary('create a staging folder', () => mkdir(modelDir));

    const total = source.files.reduce((sum, file) => sum + file.size, 0);
    let done = 0;
    onProgress?.({ stage: source.stage, done, total });
    for (const file of source.files) {
      signal?.throwIfAborted();
      await file.copyTo(path.join(modelDir, file.name), signal);
      done += file.size;
      onProgress?.({ stage: source.stage, done, total });
    }

    signal?.throwIfAborted();
    onProgress?.({ stage: 'validating', done: 0, total: 1 });
    const { format } = await options.validate(modelDir);
    if (!MODEL_FORMATS.includes(format)) {
      throw new Error(`validate() returned an unknown format, ${JSON.stringify(format)}.`);
    }
    onProgress?.({ stage: 'validating', done: 1, total: 1 });

    signal?.throwIfAborted();
    onProgress?.({ stage: 'finishing', done: 0, total: 1 });
    const entry: LibraryEntry = {
      version: 1,
      name,
      format,
      source: options.entry.source,
      addedAt: new Date().toISOString(),
      ...(options.entry.licence === undefined ? {} : { licence: options.entry.licence }),
      ...(options.entry.origin === undefined ? {} : { origin: options.entry.origin }),
    };
    await writingLibrary(`write ${LIBRARY_ENTRY_FILE}`, () =>
      writeFile(
        path.join(modelDir, LIBRARY_ENTRY_FILE),
        `${JSON.stringify(LibraryEntrySchema.parse(entry), null, 2)}\n`,
        {
          flag: 'wx',
        },
      ),
    );
    signal?.throwIfAborted();
    const slug = await moveIntoLibrary(modelDir, libraryDir, baseSlug);
    return { id: `library:${slug}`, slug, dir: path.join(libraryDir, slug), name, format };
  } finally {
    // Empty after a successful move. A failure to remove it must not hide why the import failed; a
    // leftover `.staging-*` folder is never listed as a model.
    await rm(staging, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
  }
}

/**
 * Renames `modelDir` to the first free `<libraryDir>/<slug>`, `<slug>-2`, ... A name taken by another
 * import between the listing and the rename makes the rename fail (the target is not empty), and the
 * next name is tried: the move never replaces a model.
 */
async function moveIntoLibrary(modelDir: string, libraryDir: string, baseSlug: string): Promise<string> {
  const taken = new Set(
    (await writingLibrary('list the library folder', () => readdir(libraryDir))).map((n) => n.toLowerCase()),
  );
  const maxAttempts = 10_000;
  for (let n = 1; n <= maxAttempts; n++) {
    const slug = n === 1 ? baseSlug : withSuffix(baseSlug, n);
    // A name Windows reserves for a device ("con", "nul") cannot be a folder there.
    if (taken.has(slug) || relativePathProblem(slug) !== null) continue;
    const target = path.join(libraryDir, slug);
    try {
      await rename(modelDir, target);
      return slug;
    } catch (error) {
      if (!isSystemError(error)) throw error;
      const exists =
        ['EEXIST', 'ENOTEMPTY', 'ENOTDIR'].includes(error.code) ||
        (error.code === 'EPERM' &&
          (await lstat(target).then(
            () => true,
            () => false,
          )));
      if (!exists) throw libraryUnwritable('move the model into the library', error);
    }
  }
  throw new ModelImportError(
    'library-unwritable',
    `The library already holds ${maxAttempts} models named like ${quote(baseSlug)}; give this one another name.`,
  );
}

function withSuffix(slug: string, n: number): string {
  const suffix = `-${n}`;
  return `${slug.slice(0, MAX_SLUG_LENGTH - suffix.length).replace(/[_-]+$/, '')}${suffix}`;
}

// ---------------------------------------------------------------------------------------------------
// Sources

async function listSource(
  source: ImportSource,
  limits: ImportLimits,
  signal?: AbortSignal,
): Promise<ListedSource> {
  switch (source?.kind) {
    case 'folder':
      return listFolderSource(checkPathOption(source.path), limits);
    case 'zip': {
      const zipPath = checkPathOption(source.path);
      return listZipSource({ path: zipPath }, path.basename(zipPath), limits, signal);
    }
    case 'files': {
      if (!Array.isArray(source.files))
        throw invalidOptions('source.files must be an array of { path, bytes }.');
      const only = source.files.length === 1 ? source.files[0] : undefined;
      if (only !== undefined && typeof only.path === 'string' && /\.zip$/i.test(only.path)) {
        checkUpload(only);
        return listZipSource({ bytes: only.bytes }, only.path.split('/').pop()!, limits, signal);
      }
      return listUploadSource(source.files, limits);
    }
    default:
      throw invalidOptions('source must be { kind: "folder" | "zip", path } or { kind: "files", files }.');
  }
}

/** Junk that archivers and desktops add, hidden files, and the library's own file: never copied. */
function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name === '__MACOSX' ||
    name === 'Thumbs.db' ||
    name === 'desktop.ini' ||
    name === LIBRARY_ENTRY_FILE
  );
}

function isIgnoredPath(relativePath: string): boolean {
  return relativePath.split('/').some(isIgnoredName);
}

/** The model folder: '' (the top level) when it holds files, else its only folder. */
function chooseRoot(hasTopLevelFiles: boolean, folders: readonly string[], label: string): string {
  if (hasTopLevelFiles) return '';
  if (folders.length === 1) return folders[0]!;
  if (folders.length === 0) throw new ModelImportError('not-a-model', `${label} holds no model files.`);
  const shown = folders.slice(0, 5).map(quote).join(', ') + (folders.length > 5 ? ', ...' : '');
  throw new ModelImportError(
    'not-a-model',
    `${label} has no files at its top level but ${folders.length} folders (${shown}): import the one folder that holds the model's files.`,
  );
}

/** The model folder among `paths` (files, `/`-separated, junk left out) and the paths directly in it. */
function findModelRoot(paths: readonly string[], label: string): { root: string; files: Set<string> } {
  const folders = [...new Set(paths.filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))];
  const root = chooseRoot(
    paths.some((p) => !p.includes('/')),
    folders.sort(),
    label,
  );
  const prefix = root === '' ? '' : `${root}/`;
  const files = new Set(paths.filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')));
  if (files.size === 0) {
    throw new ModelImportError(
      'not-a-model',
      `${label}: folder ${quote(root)} holds no files of its own; a model's files must be at the top level or in one folder.`,
    );
  }
  return { root, files };
}

function checkFileCount(
  count: number,
  limits: ImportLimits,
  code: ModelImportErrorCode,
  label: string,
): void {
  if (count > limits.maxFiles) {
    throw new ModelImportError(
      code,
      `${label} has ${count} files; a model may have at most ${limits.maxFiles}.`,
    );
  }
}

function checkTotalBytes(bytes: number, limits: ImportLimits, label: string): void {
  if (bytes > limits.maxTotalBytes) {
    throw new ModelImportError(
      'import-too-large',
      `${label} holds more than ${formatBytes(limits.maxTotalBytes)}; a model may have at most that.`,
    );
  }
}

async function listZipSource(
  zipSource: { path: string } | { bytes: Uint8Array },
  fileName: string,
  limits: ImportLimits,
  signal: AbortSignal | undefined,
): Promise<ListedSource> {
  const label = `Zip ${quote(fileName)}`;
  const archive: ZipArchive = await openZip(zipSource, fileName, limits, signal);
  try {
    const { root, files } = findModelRoot(
      archive.files.map((f) => f.path).filter((p) => !isIgnoredPath(p)),
      label,
    );
    const inRoot = archive.files.filter((f) => files.has(f.path));
    checkFileCount(inRoot.length, limits, 'zip-too-many-files', label);
    return {
      baseName: fileName.replace(/\.zip$/i, ''),
      origin: fileName,
      stage: 'extracting',
      files: inRoot.map((file) => ({
        name: root === '' ? file.path : file.path.slice(root.length + 1),
        size: file.size,
        copyTo: (destination, copySignal) => archive.extract(file, destination, copySignal),
      })),
      close: () => archive.close(),
    };
  } catch (error) {
    archive.close();
    throw error;
  }
}

function checkUpload(file: unknown): asserts file is ImportFile {
  const f = file as Partial<ImportFile> | null;
  if (typeof f !== 'object' || f === null || typeof f.path !== 'string' || !(f.bytes instanceof Uint8Array)) {
    throw invalidOptions('each uploaded file must be { path: string, bytes: Uint8Array }.');
  }
}

function listUploadSource(uploads: readonly ImportFile[], limits: ImportLimits): ListedSource {
  const label = 'The uploaded files';
  if (uploads.length > limits.maxEntries) {
    throw new ModelImportError(
      'import-too-many-files',
      `${label} are ${uploads.length}; an import takes at most ${limits.maxEntries}.`,
    );
  }
  const seen = new Map<string, string>();
  const byPath = new Map<string, ImportFile>();
  for (const upload of uploads) {
    checkUpload(upload);
    const problem = relativePathProblem(upload.path);
    if (problem !== null) {
      throw new ModelImportError('import-unsafe-path', `Uploaded file ${quote(upload.path)}: ${problem}.`);
    }
    const key = upload.path.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ModelImportError(
        'import-duplicate-path',
        `Uploaded file ${quote(upload.path)}: ${earlier === upload.path ? 'appears twice' : `differs from ${quote(earlier)} only in case`}.`,
      );
    }
    seen.set(key, upload.path);
    if (!isIgnoredPath(upload.path)) byPath.set(upload.path, upload);
  }
  // A dropped folder's files all start with its name, as `webkitRelativePath` gives them: inside it,
  // the rules are a folder's (the model at its top level or one folder down).
  const kept = [...byPath.keys()];
  const first = kept[0]?.slice(0, kept[0].indexOf('/'));
  const dropped =
    first !== undefined && first !== '' && kept.every((p) => p.startsWith(`${first}/`)) ? first : null;
  const within = dropped === null ? '' : `${dropped}/`;
  const { root, files } = findModelRoot(
    kept.map((p) => p.slice(within.length)),
    dropped === null ? label : `The uploaded folder ${quote(dropped)}`,
  );
  const inRoot = [...files].map((p) => byPath.get(within + p)!);
  checkFileCount(inRoot.length, limits, 'import-too-many-files', label);
  checkTotalBytes(
    inRoot.reduce((sum, f) => sum + f.bytes.byteLength, 0),
    limits,
    label,
  );
  const baseName = dropped ?? (root === '' ? null : root);
  return {
    baseName,
    origin: baseName ?? undefined,
    stage: 'copying',
    files: inRoot.map((upload) => ({
      name: path.posix.basename(upload.path),
      size: upload.bytes.byteLength,
      copyTo: (destination) =>
        writingLibrary(`write ${quote(upload.path)}`, () =>
          writeFile(destination, upload.bytes, { flag: 'wx' }),
        ),
    })),
    close: () => undefined,
  };
}

interface FolderListing {
  readonly files: { readonly name: string; readonly size: number }[];
  readonly folders: string[];
}

async function listFolderSource(dir: string, limits: ImportLimits): Promise<ListedSource> {
  const folderName = path.basename(path.resolve(dir));
  const label = `Folder ${quote(folderName)}`;
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (error) {
    throw sourceUnreadable(`Folder ${quote(dir)}`, error);
  }
  if (!isFolder) {
    throw new ModelImportError(
      'source-unreadable',
      `${quote(dir)} is not a folder; choose the folder that holds the model.`,
    );
  }
  const scanned = { entries: 0 };
  const top = await listFolder(dir, '', label, limits, scanned);
  const root = chooseRoot(top.files.length > 0, top.folders.sort(), label);
  const rootDir = path.join(dir, root);
  const listing = root === '' ? top : await listFolder(rootDir, root, label, limits, scanned);
  if (listing.files.length === 0) {
    throw new ModelImportError(
      'not-a-model',
      `${label}: folder ${quote(root)} holds no files of its own; a model's files must be at the top level or in one folder.`,
    );
  }
  checkFileCount(listing.files.length, limits, 'import-too-many-files', label);
  checkTotalBytes(
    listing.files.reduce((sum, f) => sum + f.size, 0),
    limits,
    label,
  );
  // One budget and one buffer for all the files: copies run one after another.
  const largest = Math.max(...listing.files.map((f) => f.size));
  const copying = {
    left: limits.maxTotalBytes,
    buffer: Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, largest + 1)),
  };
  return {
    baseName: folderName,
    origin: folderName,
    stage: 'copying',
    files: listing.files.map((file) => ({
      ...file,
      copyTo: (destination, signal) =>
        copyRegularFile(path.join(rootDir, file.name), destination, {
          label,
          file: root === '' ? file.name : `${root}/${file.name}`,
          copying,
          signal,
        }),
    })),
    close: () => undefined,
  };
}

/** The regular files and folders directly in `dir`, junk left out; refuses links and special files. */
async function listFolder(
  dir: string,
  relative: string,
  label: string,
  limits: ImportLimits,
  scanned: { entries: number },
): Promise<FolderListing> {
  const listing: FolderListing = { files: [], folders: [] };
  try {
    for await (const dirent of await opendir(dir)) {
      if (++scanned.entries > limits.maxEntries) {
        throw new ModelImportError(
          'import-too-many-files',
          `${label} holds more than ${limits.maxEntries} files and folders; choose the folder that holds just the model.`,
        );
      }
      if (isIgnoredName(dirent.name)) continue;
      const shown = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      const info = await lstat(path.join(dir, dirent.name));
      if (info.isSymbolicLink()) {
        throw new ModelImportError(
          'import-symlink',
          `${label}, file ${quote(shown)}: is a symbolic link; links are never imported. Replace it with the file itself.`,
        );
      }
      if (info.isDirectory()) {
        listing.folders.push(dirent.name);
      } else if (info.isFile()) {
        const problem = relativePathProblem(dirent.name);
        if (problem !== null)
          throw new ModelImportError('import-unsafe-path', `${label}, file ${quote(shown)}: ${problem}.`);
        listing.files.push({ name: dirent.name, size: info.size });
      } else {
        throw new ModelImportError(
          'import-special-file',
          `${label}, file ${quote(shown)}: is a device, pipe or socket, not a regular file.`,
        );
      }
    }
  } catch (error) {
    if (error instanceof ModelImportError) throw error;
    throw sourceUnreadable(relative === '' ? label : `${label}, folder ${quote(relative)}`, error);
  }
  listing.files.sort((a, b) => compare(a.name, b.name));
  return listing;
}

/** Read without following a link (refused) and without blocking on a pipe swapped in since the listing. */
const OPEN_SOURCE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Copies the regular file `from` to the new file `to` through one handle, counting the bytes against
 * the import's byte budget: a file that changed since it was listed (grew, or became a link or a pipe) is refused.
 */
async function copyRegularFile(
  from: string,
  to: string,
  context: {
    label: string;
    file: string;
    copying: { left: number; buffer: Buffer };
    signal: AbortSignal | undefined;
  },
): Promise<void> {
  const { label, file, copying, signal } = context;
  const { buffer } = copying;
  const what = `${label}, file ${quote(file)}`;
  let input: FileHandle;
  try {
    input = await open(from, OPEN_SOURCE_FLAGS);
  } catch (error) {
    if (isSystemError(error) && error.code === 'ELOOP') {
      throw new ModelImportError('import-symlink', `${what}: is a symbolic link; links are never imported.`);
    }
    throw sourceUnreadable(what, error);
  }
  try {
    if (!(await input.stat()).isFile()) {
      throw new ModelImportError('import-special-file', `${what}: is not a regular file.`);
    }
    const output = await writingLibrary(`copy ${quote(file)}`, () => open(to, 'wx'));
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { bytesRead } = await input.read(buffer, 0, buffer.length, null).catch((error: unknown) => {
          throw sourceUnreadable(what, error);
        });
        if (bytesRead === 0) break;
        copying.left -= bytesRead;
        if (copying.left < 0) {
          throw new ModelImportError(
            'import-too-large',
            `${what}: grew while being copied, past the import's byte budget.`,
          );
        }
        await writingLibrary(`copy ${quote(file)}`, () => writeAll(output, buffer.subarray(0, bytesRead)));
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
  }
}

// ---------------------------------------------------------------------------------------------------
// Names

/** Characters a name must not hold: control characters, line separators, bidirectional overrides. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/** A display name a person gave, trimmed. @throws {ModelImportError} `invalid-name`. */
function checkName(name: unknown): string {
  const problem =
    typeof name !== 'string'
      ? 'is not text'
      : name.trim() === ''
        ? 'is empty'
        : [...name.trim()].length > MAX_MODEL_NAME_LENGTH
          ? `is longer than ${MAX_MODEL_NAME_LENGTH} characters`
          : UNPRINTABLE.test(name)
            ? 'has control characters'
            : null;
  if (problem !== null) {
    throw new ModelImportError(
      'invalid-name',
      `The model name ${quote(String(name).slice(0, 100))} ${problem}.`,
    );
  }
  return (name as string).trim().normalize('NFC');
}

/** The default display name for a source called `baseName` ("rain_princess" -> "Rain Princess"). */
export function defaultName(baseName: string | null): string {
  const cleaned = displayName((baseName ?? '').replace(UNPRINTABLE_ALL, ' ')).trim();
  const bounded = [...cleaned].slice(0, MAX_MODEL_NAME_LENGTH).join('').trim();
  return bounded === '' ? 'Imported Model' : bounded.normalize('NFC');
}

/**
 * The slug a model called `name` gets before it is made unique: lowercase `[a-z0-9_-]`, accents
 * dropped, other runs of characters as one `_` ("Rain Princess" -> "rain_princess"); "model" when
 * nothing is left.
 */
export function modelSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/[_-]+$/, '');
  return slug === '' ? 'model' : slug;
}

// ---------------------------------------------------------------------------------------------------
// Options

function checkSourceTag(tag: unknown): LibrarySourceTag {
  if (tag === 'imported' || (typeof tag === 'string' && /^pack:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tag))) {
    return tag as LibrarySourceTag;
  }
  throw invalidOptions(`sourceTag ${quote(String(tag))} must be "imported" or "pack:<pack id>".`);
}

const LicenceSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}]*$/u),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  notice: z
    .string()
    .max(64 * 1024)
    .optional(),
});

function checkLicence(licence: unknown): Licence {
  const parsed = LicenceSchema.safeParse(licence);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidOptions(`licence ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'is invalid'}.`);
  }
  return parsed.data;
}

function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || origin === '' || origin.length > 2048 || UNPRINTABLE.test(origin)) {
    throw invalidOptions('origin must be a file name or URL of at most 2048 printable characters.');
  }
  if (path.posix.isAbsolute(origin) || path.win32.isAbsolute(origin) || /^file:/i.test(origin)) {
    throw invalidOptions(`origin ${quote(origin)} is a local path; give the file name or URL it came from.`);
  }
  return origin;
}

function checkPathOption(
  value: unknown,
  problem = 'source.path must be the path of a folder or zip file.',
): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) throw invalidOptions(problem);
  return value;
}

/** A source's own file name as an origin: without characters that garble what a person reads. */
function printableOrigin(name: string | undefined): string | undefined {
  const cleaned = name?.replace(UNPRINTABLE_ALL, '').slice(0, 255);
  return cleaned === '' ? undefined : cleaned;
}

// ---------------------------------------------------------------------------------------------------
// Errors

function invalidOptions(message: string): ModelImportError {
  return new ModelImportError('invalid-options', `Import options: ${message}`);
}

function sourceUnreadable(what: string, error: unknown): ModelImportError {
  const detail =
    isSystemError(error) && error.code === 'ENOENT'
      ? 'does not exist'
      : `cannot be read (${systemErrorDetail(error)})`;
  return new ModelImportError('source-unreadable', `${what} ${detail}.`, { cause: error });
}

function libraryUnwritable(what: string, error: unknown): ModelImportError {
  return new ModelImportError(
    'library-unwritable',
    `Could not ${what} in the model library (${systemErrorDetail(error)}). Check the disk has room and the folder can be written.`,
    { cause: error },
  );
}

/** Runs a write to the library, reporting a file-system failure as `library-unwritable`. */
async function writingLibrary<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isSystemError(error) ? libraryUnwritable(what, error) : error;
  }
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
