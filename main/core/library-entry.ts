/**
 * `library-entry.json`: what the library knows about one model beyond its weights (its name for
 * people, format, where it came from, its licence). Written by import and pack downloads, read by
 * listing; bundled models carry one too, for their licence. A missing or damaged entry never hides a
 * model: listing falls back to what the folder itself says.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelFormatSchema, ModelLicenceSchema } from '../../common/contract.js';

export const LIBRARY_ENTRY_FILE = 'library-entry.json';
/** An entry is a few lines of JSON; anything bigger is not one of ours. */
const MAX_ENTRY_BYTES = 64 * 1024;
/** Longest display name, in characters. */
export const MAX_MODEL_NAME_LENGTH = 80;

/** A name for people: trimmed, 1 to 80 characters, no control characters. */
export const ModelNameSchema = z
  .string()
  .trim()
  .min(1, 'a style needs a name')
  .max(MAX_MODEL_NAME_LENGTH, `a style's name is at most ${MAX_MODEL_NAME_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'a name has no control characters');

export const LibraryEntrySchema = z.object({
  version: z.literal(1),
  name: ModelNameSchema,
  format: ModelFormatSchema,
  /** `imported` (a folder or zip a person brought), `bundled`, or `pack:<id>` (downloaded). */
  source: z.union([
    z.enum(['imported', 'bundled']),
    z.string().regex(/^pack:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  ]),
  addedAt: z.iso.datetime().optional(),
  licence: ModelLicenceSchema.optional(),
  /** What it was imported from, for people: a file name or URL, never a local absolute path. */
  origin: z.string().max(2048).optional(),
});
export type LibraryEntry = z.infer<typeof LibraryEntrySchema>;

/** The entry in model folder `dir`, or undefined when it has none or a damaged one. Never throws. */
export async function readLibraryEntry(dir: string): Promise<LibraryEntry | undefined> {
  let text: string;
  try {
    const handle = await open(path.join(dir, LIBRARY_ENTRY_FILE), 'r');
    try {
      const buffer = Buffer.alloc(MAX_ENTRY_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_ENTRY_BYTES) return undefined;
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
    const parsed = LibraryEntrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `entry` into `dir` atomically: a reader sees the old entry or the new one, never half. */
export async function writeLibraryEntry(dir: string, entry: LibraryEntry): Promise<void> {
  const valid = LibraryEntrySchema.parse(entry);
  const target = path.join(dir, LIBRARY_ENTRY_FILE);
  const temporary = path.join(dir, `.${LIBRARY_ENTRY_FILE}.${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temporary, `${JSON.stringify(valid, null, 2)}\n`, { flush: true });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
