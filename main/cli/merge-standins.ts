/**
 * MERGE: stand-ins for modules other branches are adding, so `stylemirror models get` works on this
 * branch. When they land, delete this file and import `stylemirrorPaths` from
 * main/core/stylemirror-home.ts, `importModel` from main/core/model-import.ts and the production
 * validator from wherever that branch puts it (in main/cli/commands/models-pack-command.ts and
 * test/core/style-packs.test.ts). They follow the shared model-library spec, minimally.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportModelRequest, ValidateModel } from '../core/style-packs.js';
import { readMl5Model } from '../engine/model/ml5-model-reader.js';

/**
 * MERGE: main/core/model-import.ts. Copies the folder to a staging folder inside the library,
 * validates the copy, writes `library-entry.json`, then renames it to a fresh slug in one step.
 */
export async function importModel(request: ImportModelRequest): Promise<{ id: string }> {
  await mkdir(request.libraryDir, { recursive: true });
  const staging = path.join(request.libraryDir, `.staging-${randomBytes(8).toString('hex')}`);
  try {
    await cp(request.source.path, staging, { recursive: true, errorOnExist: true });
    const { format } = await request.validate(staging);
    const entry = {
      version: 1,
      name: request.name,
      format,
      source: request.sourceTag,
      addedAt: new Date().toISOString(),
      licence: request.licence,
      origin: request.origin,
    };
    await writeFile(path.join(staging, 'library-entry.json'), `${JSON.stringify(entry, null, 2)}\n`);
    const slug = await freeSlug(request.libraryDir, request.name);
    await rename(staging, path.join(request.libraryDir, slug));
    return { id: `library:${slug}` };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function freeSlug(libraryDir: string, name: string): Promise<string> {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'model';
  const taken = new Set(await readdir(libraryDir));
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(slug)) return slug;
  }
}

/** MERGE: the production validator the importer's branch settles on (a format-detecting reader). */
export const validateModel: ValidateModel = async (dir) => {
  await readMl5Model(dir);
  return { format: 'ml5' };
};
