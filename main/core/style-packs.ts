/**
 * Style packs: sets of models a person downloads into the model library in one go ("Get more
 * styles"). Files are fetched from the pack's base URL, verified against the sizes and hashes the
 * pack pins, and each complete model folder is handed to the library's importer; afterwards the
 * models live in the library and the app needs no network.
 */
import { mkdir, opendir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ModelFormat } from '../../common/contract.js';
import { downloadVerifiedFile, type DownloadFileOptions } from './download.js';
import { ML5_CLASSICS } from './packs/ml5-classics.js';
import {
  HttpBaseUrlSchema,
  StylePackSchema,
  type PackModel,
  type StylePack,
} from './packs/style-pack-schema.js';

export type { PackModel, PinnedFile, StylePack } from './packs/style-pack-schema.js';

/** Every pack the app offers, checked against the schema when this module loads. */
export const STYLE_PACKS: readonly StylePack[] = [ML5_CLASSICS].map((pack) => StylePackSchema.parse(pack));

/** Why a pack request was refused. Stable strings: the UI and tests match on them. */
export type StylePackErrorCode = 'unknown-pack' | 'invalid-pack' | 'bad-base-url';

export class StylePackError extends Error {
  override readonly name = 'StylePackError';

  constructor(
    readonly code: StylePackErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The pack with this id. @throws {StylePackError} `unknown-pack`, naming the packs there are. */
export function findStylePack(id: string, packs: readonly StylePack[] = STYLE_PACKS): StylePack {
  const pack = packs.find((p) => p.id === id);
  if (pack === undefined) {
    throw new StylePackError(
      'unknown-pack',
      `No style pack ${JSON.stringify(id)}. Packs: ${packs.map((p) => p.id).join(', ')}.`,
    );
  }
  return pack;
}

/** Bytes of all of a model's files. */
export function modelBytes(model: PackModel): number {
  return model.files.reduce((sum, file) => sum + file.size, 0);
}

// ---------------------------------------------------------------------------------------------------
// The importer this module hands models to (main/core/model-import.ts), described by what it is given.

/** Checks a model folder; throws the engine's ModelError when it is not a usable model. */
export type ValidateModel = (dir: string) => Promise<{ format: ModelFormat }>;

export interface ImportModelRequest {
  readonly libraryDir: string;
  readonly source: { readonly kind: 'folder'; readonly path: string };
  readonly name: string;
  readonly validate: ValidateModel;
  readonly sourceTag: `pack:${string}`;
  readonly licence: { readonly name: string; readonly url?: string; readonly notice?: string };
  /** Where the model came from: the URL of its folder. */
  readonly origin: string;
}

/** Copies a model folder into the library; resolves to the new model's id (`library:<slug>`). */
export type ImportModel = (request: ImportModelRequest) => Promise<{ readonly id: string }>;

// ---------------------------------------------------------------------------------------------------

/** Where the downloads start and what is already there: what a UI shows before asking to download. */
export interface PackDownloadPlan {
  readonly pack: StylePack;
  /** Base URL the files come from (the pack's, or the operator's override). */
  readonly baseUrl: string;
  /** Models not yet in the library, in pack order. */
  readonly toDownload: readonly PackModel[];
  /** Models the library already has from this pack. */
  readonly alreadyInLibrary: readonly PackModel[];
  readonly bytesTotal: number;
  readonly filesTotal: number;
}

/** One step of a pack download. Counts cover the models being downloaded (not those skipped). */
export interface PackProgress {
  /** Folder name of the model being downloaded. */
  readonly model: string;
  /** Its file being downloaded (path inside the model folder). */
  readonly file: string;
  /** Never decreases; equals `bytesTotal` at the end. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface DownloadPackOptions {
  readonly libraryDir: string;
  /** Partial downloads live in `<cacheDir>/downloads/<packId>/`, so an interrupted run resumes. */
  readonly cacheDir: string;
  /** Download from here instead of the pack's base URL (a mirror; tests). The operator's choice only. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PackProgress) => void;
  readonly importModel: ImportModel;
  readonly validate: ValidateModel;
  /** Per-file transfer knobs; defaults suit a real network. */
  readonly transfer?: Pick<DownloadFileOptions, 'idleTimeoutMs' | 'retries' | 'retryDelayMs'>;
}

export interface PackDownloadResult {
  readonly packId: string;
  /** Models added to the library, in pack order. */
  readonly added: readonly { readonly folder: string; readonly name: string; readonly id: string }[];
  /** Models that were already in the library from this pack, left as they are. */
  readonly skipped: readonly { readonly folder: string; readonly name: string }[];
}

/**
 * What {@link downloadPack} would do now: which models it fetches and how many bytes.
 * @throws {StylePackError} `invalid-pack` for a definition the schema refuses, `bad-base-url` for
 *   an override that is not an http(s) URL.
 */
export async function planPackDownload(
  pack: StylePack,
  options: { readonly libraryDir: string; readonly baseUrl?: string },
): Promise<PackDownloadPlan> {
  // Paths on disk and URLs are made from the definition: never from one that skipped the schema.
  const checked = StylePackSchema.safeParse(pack);
  if (!checked.success) {
    throw new StylePackError(
      'invalid-pack',
      `Style pack ${JSON.stringify(pack.id)} is not a valid definition: ${z.prettifyError(checked.error)}`,
    );
  }
  const baseUrl = checkedBaseUrl(options.baseUrl ?? pack.baseUrl);
  const installed = await packModelsInLibrary(options.libraryDir, pack.id);
  const toDownload = pack.models.filter((m) => !installed.has(m.folder));
  return {
    pack,
    baseUrl,
    toDownload,
    alreadyInLibrary: pack.models.filter((m) => installed.has(m.folder)),
    bytesTotal: toDownload.reduce((sum, m) => sum + modelBytes(m), 0),
    filesTotal: toDownload.reduce((sum, m) => sum + m.files.length, 0),
  };
}

/**
 * Downloads every model of `pack` the library does not have yet from this pack, verifies each file
 * against its pin, and imports each complete model into the library (tagged `pack:<id>`, with the
 * pack's licence and the model's URL as origin). Models already there are skipped, so running it
 * again is cheap and finishes an interrupted download. Models are fetched one after the other; a
 * failure stops the run, and the models added before it stay.
 *
 * @throws {StylePackError} for a bad definition or base URL, {@link DownloadError} for a file that could not be
 *   fetched or did not verify, the importer's error for a model it refused, and the signal's reason
 *   when aborted (partial files stay in the cache for the next run).
 */
export async function downloadPack(
  pack: StylePack,
  options: DownloadPackOptions,
): Promise<PackDownloadResult> {
  const plan = await planPackDownload(pack, options);
  const packDir = path.join(options.cacheDir, 'downloads', pack.id);
  let bytesDone = 0;
  let filesDone = 0;
  const report = (model: string, file: string, bytes: number): void =>
    options.onProgress?.({
      model,
      file,
      bytesDone: bytes,
      bytesTotal: plan.bytesTotal,
      filesDone,
      filesTotal: plan.filesTotal,
    });

  const added: { folder: string; name: string; id: string }[] = [];
  for (const model of plan.toDownload) {
    const modelDir = path.join(packDir, model.folder);
    const modelUrl = new URL(`${encodeURIComponent(model.folder)}/`, plan.baseUrl).href;
    for (const file of model.files) {
      const dest = path.join(modelDir, ...file.path.split('/'));
      await mkdir(path.dirname(dest), { recursive: true });
      // A file that restarts (server ignored Range) counts again from 0: report the most it reached.
      let credited = 0;
      await downloadVerifiedFile({
        url: new URL(file.path.split('/').map(encodeURIComponent).join('/'), modelUrl).href,
        dest,
        size: file.size,
        sha256: file.sha256,
        label: `${pack.id}/${model.folder}/${file.path}`,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...options.transfer,
        onBytes: (bytes) => {
          if (bytes <= credited) return;
          credited = bytes;
          report(model.folder, file.path, bytesDone + credited);
        },
      });
      bytesDone += file.size;
      filesDone += 1;
      report(model.folder, file.path, bytesDone);
    }
    options.signal?.throwIfAborted();
    const { id } = await options.importModel({
      libraryDir: options.libraryDir,
      source: { kind: 'folder', path: modelDir },
      name: model.name,
      validate: options.validate,
      sourceTag: `pack:${pack.id}`,
      licence: pack.licence,
      origin: modelUrl,
    });
    added.push({ folder: model.folder, name: model.name, id });
    // The library holds its own copy now.
    await rm(modelDir, { recursive: true, force: true });
  }
  await rmdir(packDir).catch(() => undefined);
  return {
    packId: pack.id,
    added,
    skipped: plan.alreadyInLibrary.map(({ folder, name }) => ({ folder, name })),
  };
}

function checkedBaseUrl(value: string): string {
  const withSlash = value.endsWith('/') ? value : `${value}/`;
  if (!HttpBaseUrlSchema.safeParse(withSlash).success) {
    throw new StylePackError(
      'bad-base-url',
      `Style pack base URL ${JSON.stringify(value)}: only http:// and https:// URLs are fetched.`,
    );
  }
  return withSlash;
}

// ---------------------------------------------------------------------------------------------------
// Which models the library already has from a pack. MERGE: once main/core/model-library.ts reads
// library entries, ask it instead; this reads only the two fields the spec fixes.

/** Largest `library-entry.json` read; real ones are well under 4 KiB. */
const MAX_ENTRY_BYTES = 64 * 1024;
/** Most library folders looked at, so a huge unrelated folder costs a bounded scan. */
const MAX_LIBRARY_ENTRIES = 10_000;

const LibraryEntrySourceSchema = z.object({ source: z.string(), origin: z.string().optional() });

/**
 * Folder names of the models of pack `packId` in the library: entries whose source is
 * `pack:<packId>` and whose origin URL ends in the model's folder (mirrors keep the layout).
 * A missing library, or an unreadable or foreign entry, contributes nothing.
 */
export async function packModelsInLibrary(libraryDir: string, packId: string): Promise<Set<string>> {
  const found = new Set<string>();
  let dir;
  try {
    dir = await opendir(libraryDir);
  } catch {
    return found;
  }
  let seen = 0;
  for await (const entry of dir) {
    if (++seen > MAX_LIBRARY_ENTRIES) break;
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const folder = await packFolderOf(path.join(libraryDir, entry.name, 'library-entry.json'), packId);
    if (folder !== null) found.add(folder);
  }
  return found;
}

async function packFolderOf(entryFile: string, packId: string): Promise<string | null> {
  try {
    if ((await stat(entryFile)).size > MAX_ENTRY_BYTES) return null;
    const entry = LibraryEntrySourceSchema.safeParse(JSON.parse(await readFile(entryFile, 'utf8')));
    if (!entry.success || entry.data.source !== `pack:${packId}` || entry.data.origin === undefined)
      return null;
    const segments = new URL(entry.data.origin).pathname.split('/').filter((s) => s !== '');
    return segments.length > 0 ? decodeURIComponent(segments.at(-1)!) : null;
  } catch {
    return null;
  }
}
