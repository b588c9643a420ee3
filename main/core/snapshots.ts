/**
 * Saving snapshots: PNG files in one folder, named for the style and the moment, never overwriting.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature, then the IHDR chunk every PNG starts with: anything shorter is not a picture. */
const MIN_PNG_BYTES = 8 + 25;
/** Files tried per second before giving up: far beyond any person pressing `s`. */
const MAX_SAME_SECOND = 1000;

/** Why a snapshot was not saved; the message says what and where. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';

  constructor(
    readonly code: 'not-png' | 'snapshots-folder-unavailable' | 'snapshot-write-failed',
    message: string,
  ) {
    super(message);
  }
}

export interface SnapshotFolderOptions {
  /** The clock, for file names; tests pass a fixed one. */
  readonly now?: () => Date;
  /**
   * The one folder this may create, with the folders above it, when it is missing: the app's own
   * default (Pictures/Style Mirror) or the one given on the command line. Any other folder (one the
   * person chose, or a path found in the settings file) must already exist: no folder chains are
   * made at a stored path.
   */
  readonly defaultDir?: string;
}

/** The snapshots folder. Its location is asked for on every save, so a settings change applies at once. */
export class SnapshotFolder {
  private readonly now: () => Date;
  private readonly defaultDir: string | undefined;

  constructor(
    private readonly dir: () => string,
    options: SnapshotFolderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.defaultDir = options.defaultDir === undefined ? undefined : path.resolve(options.defaultDir);
  }

  /** The folder's absolute path, as it is now. */
  get path(): string {
    return path.resolve(this.dir());
  }

  /**
   * The folder's path, once it is sure to be a folder: the default one is created if missing, any
   * other must exist.
   *
   * @throws {SnapshotError} `snapshots-folder-unavailable`, saying what to do.
   */
  async ensure(): Promise<string> {
    const dir = this.path;
    if (dir === this.defaultDir) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw unavailable(`Could not create the snapshots folder ${dir} (${(error as Error).message}).`);
      }
    }
    let isFolder: boolean;
    try {
      isFolder = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw unavailable(
        code === 'ENOENT'
          ? `The snapshots folder ${dir} is not there (any more).`
          : `The snapshots folder ${dir} cannot be reached (${(error as Error).message}).`,
      );
    }
    if (!isFolder) throw unavailable(`The snapshots folder ${dir} is not a folder.`);
    return dir;
  }

  /**
   * Saves `png` as `style-mirror-<label>-<YYYYMMDD-HHMMSS>.png` in the folder (local time), adding
   * `-2`, `-3`… when that name is taken, and returns the file's path. Never overwrites a file.
   *
   * @throws {SnapshotError} `not-png` for bytes that are not a PNG (before touching the disk),
   *   `snapshots-folder-unavailable`, or `snapshot-write-failed` (no partial file is left behind).
   */
  async save(png: Uint8Array, label?: string): Promise<string> {
    if (png.length < MIN_PNG_BYTES || !PNG_SIGNATURE.every((b, i) => png[i] === b)) {
      throw new SnapshotError(
        'not-png',
        `A snapshot must be a PNG image; the ${png.length} bytes given do not start with the PNG signature.`,
      );
    }
    const dir = await this.ensure();
    const stem = ['style-mirror', sanitizeLabel(label ?? ''), timestamp(this.now())]
      .filter((part) => part !== '')
      .join('-');

    for (let n = 1; n <= MAX_SAME_SECOND; n++) {
      const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}.png`);
      let handle;
      try {
        // 'wx' fails when the name exists, atomically: two saves in one second cannot overwrite each other.
        handle = await open(file, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw writeFailed(file, error);
      }
      try {
        await handle.writeFile(png);
        await handle.close();
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(file, { force: true });
        throw writeFailed(file, error);
      }
      return file;
    }
    throw new SnapshotError(
      'snapshot-write-failed',
      `Could not save a snapshot in ${dir}: ${MAX_SAME_SECOND} snapshots named ${stem} already exist.`,
    );
  }
}

/**
 * A label made safe for a file name on every platform: letters, digits, `_` and `-` only (a model id's
 * `:` is not allowed on Windows), at most 64 characters; "" when nothing is left.
 */
export function sanitizeLabel(label: string): string {
  return label
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}_-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** `YYYYMMDD-HHMMSS` in local time: what a person sees on their clock when they take the snapshot. */
function timestamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-` +
    `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`
  );
}

function unavailable(problem: string): SnapshotError {
  return new SnapshotError(
    'snapshots-folder-unavailable',
    `${problem} Choose a snapshots folder in the settings ("Snapshots folder…").`,
  );
}

function writeFailed(file: string, error: unknown): SnapshotError {
  return new SnapshotError(
    'snapshot-write-failed',
    `Could not save the snapshot ${file}: ${(error as Error).message}.`,
  );
}
