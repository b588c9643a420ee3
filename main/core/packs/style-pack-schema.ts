/**
 * What a style pack is: a named set of models hosted under one base URL, each file pinned by size and
 * sha256, with the licence a person must see before downloading. Pack definitions are code, but
 * they are parsed with this schema when loaded, so a bad edit fails loudly at start, not mid-download.
 */
import { z } from 'zod';

/** Largest file a pack may pin. ml5 models are 6.7 MB in all; this leaves room for other formats. */
export const MAX_PINNED_FILE_BYTES = 256 * 1024 * 1024;

/** A base URL: http(s) only, ending in `/` so relative paths resolve beneath it (no query, no #). */
export const HttpBaseUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => isHttpUrl(value) && value.endsWith('/') && !/[?#]/.test(value), {
    message: 'must be an http:// or https:// URL ending in "/", without "?" or "#"',
  });

/** One path segment that stays inside its folder on every platform: no `..`, no separators. */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

const PinnedFileSchema = z.object({
  /** Relative to the model folder, `/`-separated. */
  path: z
    .string()
    .max(512)
    .refine((p) => p.split('/').every((segment) => SEGMENT.test(segment)), {
      message: 'must be a relative path of plain names (letters, digits, "._-"), no ".."',
    }),
  size: z.number().int().positive().max(MAX_PINNED_FILE_BYTES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

const PackModelSchema = z
  .object({
    /** The model's folder under the base URL, and the folder it downloads to. */
    folder: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slug'),
    /** What the library calls it. */
    name: z.string().min(1).max(100),
    files: z.array(PinnedFileSchema).min(1).max(1000),
  })
  .refine((model) => new Set(model.files.map((f) => f.path)).size === model.files.length, {
    message: 'lists a file twice',
  });

export const StylePackSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a lowercase slug'),
    name: z.string().min(1).max(100),
    description: z.string().min(1).max(1000),
    licence: z.object({
      name: z.string().min(1).max(200),
      url: z.string().refine(isHttpUrl, { message: 'must be an http(s) URL' }),
      /** The text a person must see, and accept, before the pack is downloaded. */
      notice: z.string().min(1).max(4000),
    }),
    baseUrl: HttpBaseUrlSchema,
    models: z.array(PackModelSchema).min(1).max(200),
  })
  .refine((pack) => new Set(pack.models.map((m) => m.folder)).size === pack.models.length, {
    message: 'lists a model folder twice',
  });

export type PinnedFile = z.infer<typeof PinnedFileSchema>;
export type PackModel = z.infer<typeof PackModelSchema>;
export type StylePack = z.infer<typeof StylePackSchema>;

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
