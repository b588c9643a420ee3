/**
 * Reads zip archives from people we do not know. Every entry of the central directory is checked
 * before a single byte is written: its path, its type, encryption, compression method, the entry count
 * and the declared total size. Extraction then counts the bytes it really inflates and checks each
 * entry's CRC-32, so a header that lies about its size cannot spend more than the budget.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import {
  formatBytes,
  isSystemError,
  ModelImportError,
  quote,
  systemErrorDetail,
  type ModelImportErrorCode,
} from './model-import-error.js';

export interface ZipLimits {
  /** Most central-directory entries, folders included: bounds the work of reading the directory. */
  readonly maxEntries: number;
  /** Most bytes all file entries may hold together, declared and counted. */
  readonly maxTotalBytes: number;
}

/** One file (not folder) entry of the archive, as its central directory declares it. */
export interface ZipFileEntry {
  /** Relative path with `/` separators, already checked by {@link relativePathProblem}. */
  readonly path: string;
  /** Declared uncompressed size in bytes. */
  readonly size: number;
}

/** An archive whose directory passed every check; its files can be extracted one by one. */
export interface ZipArchive {
  /** Its file entries, in central-directory order. */
  readonly files: readonly ZipFileEntry[];
  /**
   * Inflates `file` into a new file `destination` (which must not exist). Stops with `zip-too-large`
   * once this archive's inflated bytes pass the budget, and with `zip-corrupt` when the data is not
   * what the header declares (size, CRC-32) or cannot be inflated.
   */
  extract(file: ZipFileEntry, destination: string, signal?: AbortSignal): Promise<void>;
  /** Releases the archive's file; safe to call twice. */
  close(): void;
}

/** Longest relative path accepted, in characters; real model files are a few dozen. */
const MAX_PATH_CHARS = 1024;
/** Longest single file or folder name most file systems store, in UTF-8 bytes. */
const MAX_SEGMENT_BYTES = 255;
/** Unix file-type bits of a zip entry's external attributes (the high 16 bits hold `st_mode`). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Names Windows reserves for devices, whatever their extension. */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * What is wrong with `relativePath` as the path of a file to create inside a folder, or null when it
 * is safe on every system: relative, `/`-separated, no `..`, no name Windows would read differently.
 */
export function relativePathProblem(relativePath: string): string | null {
  if (relativePath === '') return 'has an empty path';
  if (relativePath.length > MAX_PATH_CHARS) return `has a path longer than ${MAX_PATH_CHARS} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(relativePath)) return 'has control characters in its path';
  if (relativePath.includes('\\')) return 'has a backslash in its path, which Windows reads as a separator';
  if (relativePath.startsWith('/')) return 'has an absolute path';
  if (/^[a-zA-Z]:/.test(relativePath)) return 'has a path that starts with a drive letter';
  for (const segment of relativePath.split('/')) {
    if (segment === '..') return 'has a ".." in its path, which leads outside the folder';
    if (segment === '' || segment === '.') return 'has an empty or "." folder name in its path';
    if (/[<>:"|?*]/.test(segment)) return 'has a character (<>:"|?*) Windows cannot store in a file name';
    if (/[. ]$/.test(segment)) return 'has a name ending in a dot or space, which Windows drops';
    if (WINDOWS_DEVICE_NAME.test(segment))
      return 'has a name Windows reserves for a device (CON, NUL, COM1...)';
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      return `has a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  return null;
}

/**
 * Opens the zip file at `source.path` or in `source.bytes` and checks its whole directory.
 * `label` names the archive in messages (a file name, never a full path the user did not give).
 *
 * @throws {ModelImportError} `source-unreadable`, `zip-corrupt`, `zip-too-many-files`, `zip-unsafe-path`,
 *   `zip-symlink`, `zip-special-file`, `zip-duplicate-entry`, `zip-encrypted`, `zip-unsupported`,
 *   `zip-too-large`; nothing has been written when it throws.
 */
export async function openZip(
  source: { readonly path: string } | { readonly bytes: Uint8Array },
  label: string,
  limits: ZipLimits,
  signal?: AbortSignal,
): Promise<ZipArchive> {
  const zip = await openZipFile(source, label);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ModelImportError(
        'zip-too-many-files',
        `Zip ${quote(label)} has ${zip.entryCount} entries; an import takes at most ${limits.maxEntries}.`,
      );
    }
    const entries = await readDirectory(zip, label, limits, signal);
    return new CheckedZip(zip, entries, label, limits.maxTotalBytes);
  } catch (error) {
    zip.close();
    throw error;
  }
}

type RawEntry = ZipFileEntry & { readonly entry: yauzl.Entry };

async function openZipFile(
  source: { readonly path: string } | { readonly bytes: Uint8Array },
  label: string,
): Promise<yauzl.ZipFile> {
  // Names are decoded and checked here (see checkEntry), so yauzl's own check is off; a size that
  // does not match the data is an error yauzl reports while inflating.
  const options: yauzl.Options = {
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: true,
  };
  if ('bytes' in source) {
    const buffer = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
    return await yauzl.fromBufferPromise(buffer, options).catch((error: unknown) => {
      throw corrupt(label, undefined, error);
    });
  }
  let isFile: boolean;
  try {
    isFile = (await stat(source.path)).isFile();
  } catch (error) {
    throw new ModelImportError(
      'source-unreadable',
      `Zip ${quote(label)} cannot be read (${systemErrorDetail(error)}).`,
      { cause: error },
    );
  }
  if (!isFile) throw new ModelImportError('source-unreadable', `Zip ${quote(label)} is not a file.`);
  return await yauzl.openPromise(source.path, options).catch((error: unknown) => {
    throw corrupt(label, undefined, error);
  });
}

async function readDirectory(
  zip: yauzl.ZipFile,
  label: string,
  limits: ZipLimits,
  signal: AbortSignal | undefined,
): Promise<RawEntry[]> {
  const files: RawEntry[] = [];
  const seen = new Map<string, string>(); // lower-cased path -> path as written
  let declaredBytes = 0;
  const iterator = zip.eachEntry();
  for (let index = 0; ; index++) {
    signal?.throwIfAborted();
    let next: IteratorResult<yauzl.Entry>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw corrupt(label, `entry ${index + 1}`, error);
    }
    if (next.done === true) break;
    const file = checkEntry(next.value, label);
    if (file === null) continue;

    const key = file.path.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw refused(
        'zip-duplicate-entry',
        label,
        file.path,
        earlier === file.path
          ? 'appears twice; one would overwrite the other'
          : `differs from entry ${quote(earlier)} only in case; on Windows and macOS one would overwrite the other`,
      );
    }
    seen.set(key, file.path);
    declaredBytes += file.size;
    if (declaredBytes > limits.maxTotalBytes) throw tooLarge(label, limits.maxTotalBytes, file.path);
    files.push(file);
  }
  return files;
}

/** The file entry `entry` describes, null for a folder entry; throws for anything unsafe. */
function checkEntry(entry: yauzl.Entry, label: string): RawEntry | null {
  // strictFileNames keeps backslashes, so they are refused rather than turned into separators.
  const name = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    true,
  );
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const isFolder = name.endsWith('/') || mode === S_IFDIR;
  const relativePath = name.endsWith('/') ? name.slice(0, -1) : name;
  const problem = relativePathProblem(relativePath);
  if (problem !== null) throw refused('zip-unsafe-path', label, name, problem);
  if (mode === S_IFLNK) {
    throw refused('zip-symlink', label, name, 'is a symbolic link; links are never unpacked');
  }
  // 0: an archiver that records no Unix type (Windows, most libraries): a plain file or folder.
  if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
    throw refused('zip-special-file', label, name, 'is a device, pipe or socket, not a regular file');
  }
  if (isFolder) return null;
  if (entry.isEncrypted()) {
    throw refused(
      'zip-encrypted',
      label,
      name,
      'is encrypted; unpack it with its password and import the folder',
    );
  }
  if (!entry.canDecodeFileData()) {
    throw refused(
      'zip-unsupported',
      label,
      name,
      `uses compression method ${entry.compressionMethod}; only stored and deflated entries are read. Re-zip it with a standard zip tool.`,
    );
  }
  return { path: relativePath, size: entry.uncompressedSize, entry };
}

class CheckedZip implements ZipArchive {
  private inflatedBytes = 0;

  constructor(
    private readonly zip: yauzl.ZipFile,
    readonly files: readonly RawEntry[],
    private readonly label: string,
    private readonly maxTotalBytes: number,
  ) {}

  async extract(file: ZipFileEntry, destination: string, signal?: AbortSignal): Promise<void> {
    const raw = this.files.find((f) => f === file);
    if (raw === undefined) throw new Error(`extract(): ${quote(file.path)} is not an entry of this archive.`);
    let data;
    try {
      data = await this.zip.openReadStreamPromise(raw.entry);
    } catch (error) {
      throw corrupt(this.label, raw.path, error);
    }
    const output = createWriteStream(destination, { flags: 'wx' });
    try {
      await pipeline(data, this.counter(raw), output, { signal });
    } catch (error) {
      if (error instanceof ModelImportError || signal?.aborted === true) throw error;
      if (isSystemError(error) && error.path === destination) {
        throw new ModelImportError(
          'library-unwritable',
          `Could not write ${quote(raw.path)} from zip ${quote(this.label)} into the model library (${systemErrorDetail(error)}).`,
          { cause: error },
        );
      }
      throw corrupt(this.label, raw.path, error);
    }
  }

  close(): void {
    this.zip.close();
  }

  /** Passes the entry's bytes through, counting them against its header and the archive's budget. */
  private counter(file: RawEntry): Transform {
    let bytes = 0;
    let crc = 0;
    // Arrow functions keep `this`: the budget is the archive's, across all its entries.
    const check = (chunk: Buffer): ModelImportError | null => {
      bytes += chunk.length;
      this.inflatedBytes += chunk.length;
      crc = zlib.crc32(chunk, crc);
      if (this.inflatedBytes > this.maxTotalBytes) return tooLarge(this.label, this.maxTotalBytes, file.path);
      if (bytes > file.size) {
        return refused(
          'zip-corrupt',
          this.label,
          file.path,
          `holds more than the ${file.size} bytes its header declares`,
        );
      }
      return null;
    };
    const finish = (): ModelImportError | null => {
      if (bytes !== file.size) {
        return refused(
          'zip-corrupt',
          this.label,
          file.path,
          `holds ${bytes} bytes, not the ${file.size} its header declares`,
        );
      }
      if (crc !== file.entry.crc32) {
        return refused(
          'zip-corrupt',
          this.label,
          file.path,
          'fails its CRC-32 check; the archive is damaged',
        );
      }
      return null;
    };
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        const problem = check(chunk);
        if (problem === null) callback(null, chunk);
        else callback(problem);
      },
      flush: (callback: TransformCallback) => callback(finish()),
    });
  }
}

function tooLarge(label: string, maxTotalBytes: number, entry: string): ModelImportError {
  return new ModelImportError(
    'zip-too-large',
    `Zip ${quote(label)} unpacks to more than ${formatBytes(maxTotalBytes)} (at entry ${quote(entry)}); an import takes at most that.`,
  );
}

function refused(
  code: ModelImportErrorCode,
  label: string,
  entry: string,
  problem: string,
): ModelImportError {
  // Entry names come from the archive: JSON quoting keeps newlines and terminal escapes inert.
  return new ModelImportError(code, `Zip ${quote(label)}, entry ${quote(entry)}: ${problem}.`);
}

/** yauzl's and zlib's errors about a damaged archive, as one code; `where` names the entry if known. */
function corrupt(label: string, where: string | undefined, error: unknown): ModelImportError {
  if (error instanceof ModelImportError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  // yauzl refuses "strong encryption" while reading the directory, before an entry is returned.
  const code = /encrypt/i.test(detail) ? 'zip-encrypted' : 'zip-corrupt';
  const place =
    where === undefined ? '' : ` at ${where.startsWith('entry ') ? where : `entry ${quote(where)}`}`;
  return new ModelImportError(code, `Zip ${quote(label)} is damaged or not a zip file${place} (${detail}).`, {
    cause: error,
  });
}
