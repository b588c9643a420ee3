/**
 * Saving snapshots: PNG files in one folder, named for the style and the moment, never overwriting.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_FRAME_SIDE } from '../../common/frame.js';

/** Every WebM (Matroska) file starts with an EBML header. */
const WEBM_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature, then the IHDR chunk every PNG starts with: anything shorter is not a picture. */
const MIN_PNG_BYTES = 8 + 25;
/** IHDR's place: its length (13) at 8, its type at 12, then width and height (big-endian) at 16 and 20. */
const IHDR = { lengthAt: 8, typeAt: 12, widthAt: 16, heightAt: 20, length: 13, type: 'IHDR' } as const;
/** Files tried per second before giving up: far beyond any person pressing `s`. */
const MAX_SAME_SECOND = 1000;

/** Why a snapshot was not saved; the message says what and where. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';

  constructor(
    readonly code:
      | 'not-png'
      | 'not-webm'
      | 'snapshot-too-large'
      | 'snapshot-limit-reached'
      | 'snapshots-folder-unavailable'
      | 'snapshot-write-failed',
    message: string,
  ) {
    super(message);
  }
}

/** The largest picture one snapshot may be. */
export interface SnapshotLimits {
  /** Width and height each, in pixels, as the PNG's header states them. */
  readonly maxSide: number;
  readonly maxPixels: number;
  /** The PNG file's size. */
  readonly maxBytes: number;
}

/** What the engine could have painted; the contract bounds a request's bytes (64 MiB). */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxSide: MAX_FRAME_SIDE,
  maxPixels: MAX_FRAME_SIDE * MAX_FRAME_SIDE,
  maxBytes: Number.POSITIVE_INFINITY,
};

/** How many snapshots, and how many bytes of them, one SnapshotFolder saves in its lifetime. */
export interface SnapshotQuota {
  readonly files: number;
  readonly bytes: number;
}

export interface SnapshotFolderOptions {
  /** The clock, for file names; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Default {@link DEFAULT_SNAPSHOT_LIMITS}. */
  readonly limits?: SnapshotLimits;
  /** Default: none (the app saves what its own window shows); browser mode sets one per run. */
  readonly quota?: SnapshotQuota;
  /**
   * The one folder this may create, with the folders above it, when it is missing: the app's own
   * default (Pictures/Style Mirror) or the one given on the command line. Any other folder (one the
   * person chose, or a path found in the settings file) must already exist: no folder chains are
   * made at a stored path.
   */
  readonly defaultDir?: string;
  /** How the person picks another folder, for messages; default: the app's settings button. */
  readonly howToChoose?: string;
}

/** The snapshots folder. Its location is asked for on every save, so a settings change applies at once. */
export class SnapshotFolder {
  private readonly now: () => Date;
  private readonly limits: SnapshotLimits;
  private readonly quota: SnapshotQuota | undefined;
  /** Saved or being saved, against the quota: taken before writing, so concurrent saves cannot overrun it. */
  private readonly used = { files: 0, bytes: 0 };
  private readonly defaultDir: string | undefined;
  private readonly howToChoose: string;

  constructor(
    private readonly dir: () => string,
    options: SnapshotFolderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.limits = options.limits ?? DEFAULT_SNAPSHOT_LIMITS;
    this.quota = options.quota;
    this.defaultDir = options.defaultDir === undefined ? undefined : path.resolve(options.defaultDir);
    this.howToChoose =
      options.howToChoose ?? 'Choose a snapshots folder in the settings ("Snapshots folder…").';
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
  private unavailable(problem: string): SnapshotError {
    return new SnapshotError('snapshots-folder-unavailable', `${problem} ${this.howToChoose}`);
  }

  async ensure(): Promise<string> {
    const dir = this.path;
    if (dir === this.defaultDir) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw this.unavailable(`Could not create the snapshots folder ${dir} (${(error as Error).message}).`);
      }
    }
    let isFolder: boolean;
    try {
      isFolder = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw this.unavailable(
        code === 'ENOENT'
          ? `The snapshots folder ${dir} is not there (any more).`
          : `The snapshots folder ${dir} cannot be reached (${(error as Error).message}).`,
      );
    }
    if (!isFolder) throw this.unavailable(`The snapshots folder ${dir} is not a folder.`);
    return dir;
  }

  /**
   * Saves `png` as `style-mirror-<label>-<YYYYMMDD-HHMMSS>.png` in the folder (local time), adding
   * `-2`, `-3`… when that name is taken, and returns the file's path. Never overwrites a file.
   *
   * @throws {SnapshotError} before touching the disk: `not-png` for bytes that are not a PNG,
   *   `snapshot-too-large` beyond the limits, `snapshot-limit-reached` beyond the quota; then
   *   `snapshots-folder-unavailable`, or `snapshot-write-failed` (no partial file is left behind).
   */
  async save(png: Uint8Array, label?: string): Promise<string> {
    this.check(png);
    this.take(png.length);
    try {
      return await this.write(png, label);
    } catch (error) {
      this.used.files--;
      this.used.bytes -= png.length;
      throw error;
    }
  }

  /** Refuses what is not a PNG within the limits, from its signature and header (IHDR). */
  private check(png: Uint8Array): void {
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const chunkType = (at: number): string => String.fromCharCode(...png.subarray(at, at + 4));
    if (
      png.length < MIN_PNG_BYTES ||
      !PNG_SIGNATURE.every((b, i) => png[i] === b) ||
      view.getUint32(IHDR.lengthAt) !== IHDR.length ||
      chunkType(IHDR.typeAt) !== IHDR.type
    ) {
      throw new SnapshotError(
        'not-png',
        `A snapshot must be a PNG image; the ${png.length} bytes given do not start with the PNG signature and header.`,
      );
    }
    const { maxBytes, maxSide, maxPixels } = this.limits;
    if (png.length > maxBytes) {
      throw new SnapshotError(
        'snapshot-too-large',
        `A snapshot is at most ${mib(maxBytes)} here; this one is ${mib(png.length)}.`,
      );
    }
    const width = view.getUint32(IHDR.widthAt);
    const height = view.getUint32(IHDR.heightAt);
    if (width === 0 || height === 0) {
      throw new SnapshotError(
        'not-png',
        `A snapshot must be a PNG image; this one says it is ${width}x${height}.`,
      );
    }
    if (width > maxSide || height > maxSide || width * height > maxPixels) {
      throw new SnapshotError(
        'snapshot-too-large',
        `A snapshot is at most ${maxSide} pixels a side and ${maxPixels} pixels here; this one is ${width}x${height}.`,
      );
    }
  }

  /** Counts a snapshot against the quota, or refuses it. */
  private take(bytes: number): void {
    const quota = this.quota;
    if (quota !== undefined && (this.used.files >= quota.files || this.used.bytes + bytes > quota.bytes)) {
      throw new SnapshotError(
        'snapshot-limit-reached',
        `This server saves at most ${quota.files} snapshots (${mib(quota.bytes)} together) per run and has ` +
          `saved ${this.used.files} (${mib(this.used.bytes)}); restart it to save more.`,
      );
    }
    this.used.files++;
    this.used.bytes += bytes;
  }

  /**
   * Saves a WebM recording of the mirror beside the snapshots (the app only: browser mode's page
   * downloads its recordings itself). Refuses what does not start with WebM's EBML header.
   */
  async saveRecording(webm: Uint8Array, label?: string): Promise<string> {
    if (!WEBM_MAGIC.every((b, i) => webm[i] === b)) {
      throw new SnapshotError(
        'not-webm',
        `A recording must be a WebM video; these ${webm.length} bytes are not.`,
      );
    }
    return this.write(webm, label, '.webm');
  }

  private async write(bytes: Uint8Array, label: string | undefined, extension = '.png'): Promise<string> {
    const dir = await this.ensure();
    const stem = ['style-mirror', sanitizeLabel(label ?? ''), timestamp(this.now())]
      .filter((part) => part !== '')
      .join('-');

    for (let n = 1; n <= MAX_SAME_SECOND; n++) {
      const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}${extension}`);
      let handle;
      try {
        // 'wx' fails when the name exists, atomically: two saves in one second cannot overwrite each other.
        handle = await open(file, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw writeFailed(file, error);
      }
      try {
        await handle.writeFile(bytes);
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

/** `1234 bytes` or `8.2 MiB`. */
function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function writeFailed(file: string, error: unknown): SnapshotError {
  return new SnapshotError(
    'snapshot-write-failed',
    `Could not save the snapshot ${file}: ${(error as Error).message}.`,
  );
}
