/**
 * Zips for import tests: valid ones from yazl, hostile ones written byte by byte (yazl refuses to
 * write unsafe names or lying sizes, which is right for it and useless for attacking a reader).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import yazl from 'yazl';

export interface ZipInput {
  /** Entry path; a trailing `/` makes a folder entry. */
  readonly path: string;
  readonly bytes?: Uint8Array | string;
  /** Unix mode, file type included (e.g. `0o120777` for a symbolic link). */
  readonly mode?: number;
  /** Deflate the entry (the default) or store it. */
  readonly compress?: boolean;
}

/** A valid zip of `entries`, made by yazl. */
export async function makeZip(entries: readonly ZipInput[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.path.endsWith('/')) {
      zip.addEmptyDirectory(entry.path, entry.mode === undefined ? {} : { mode: entry.mode });
    } else {
      zip.addBuffer(Buffer.from(entry.bytes ?? ''), entry.path, {
        compress: entry.compress ?? true,
        ...(entry.mode === undefined ? {} : { mode: entry.mode }),
      });
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One entry of {@link rawZip}: every field a hostile archive might set, written as given. */
export interface RawZipEntry {
  /** Written as its UTF-8 bytes (flag bit 11 set unless `flags` says otherwise). */
  readonly name: string;
  /** The entry's data exactly as stored in the archive (already deflated when `method` is 8). */
  readonly data: Uint8Array;
  /** 0 stored (default), 8 deflate, anything else to test refusal. */
  readonly method?: number;
  /** Declared uncompressed size; default: `data.length`. */
  readonly uncompressedSize?: number;
  /** Declared CRC-32; default: the CRC-32 of `data` (right for stored entries). */
  readonly crc32?: number;
  /** General-purpose flags; default 0x800 (UTF-8 name). Bit 0: encrypted. */
  readonly flags?: number;
  /** External attributes; the high 16 bits are the Unix mode. Default 0o100644 << 16. */
  readonly externalAttributes?: number;
}

/** A zip written byte by byte: local headers and data, central directory, end record. */
export function rawZip(entries: readonly RawZipEntry[], options: { entryCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.data);
    const method = entry.method ?? 0;
    const flags = entry.flags ?? 0x800;
    const crc = entry.crc32 ?? zlib.crc32(data);
    const size = entry.uncompressedSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits count
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((entry.externalAttributes ?? 0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = options.entryCount ?? entries.length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A raw deflate stream of `mebibytes` MiB of zeros, about 1 KiB per MiB, made without compressing
 * them all: one MiB deflated and flushed to a byte boundary, repeated (its back-references reach only
 * zeros it wrote itself), then an empty final block.
 */
export function deflatedZeros(mebibytes: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(mebibytes).fill(block), Buffer.from([0x03, 0x00])]);
}

/** Replaces every occurrence of `from` by `to` (same byte length) in `zip`: in local and central headers. */
export function patchName(zip: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error('patchName: names must have the same byte length');
  const out = Buffer.from(zip);
  let count = 0;
  for (let i = out.indexOf(a); i !== -1; i = out.indexOf(a, i + 1)) {
    b.copy(out, i);
    count++;
  }
  if (count === 0) throw new Error(`patchName: ${from} not found`);
  return out;
}

/**
 * Everything under `dir`, as sorted lines of path, type and content hash (link targets for links):
 * two equal snapshots mean the folder tree and every byte in it are the same.
 */
export async function snapshotTree(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(path.join(dir, relative))).sort();
    for (const name of names) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      const full = path.join(dir, rel);
      const info = await lstat(full);
      if (info.isSymbolicLink()) lines.push(`${rel} -> ${await readlink(full)}`);
      else if (info.isDirectory()) {
        lines.push(`${rel}/`);
        await walk(rel);
      } else {
        const hash = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
        lines.push(`${rel} ${info.size} ${hash}`);
      }
    }
  };
  await walk('');
  return lines;
}
