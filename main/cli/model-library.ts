import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's own `models/` folder (models this project made, safe to ship). */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

/**
 * Folders searched for a model given by id, in order: each entry of `STYLEMIRROR_MODELS` (a
 * path-delimiter-separated list, like PATH), then the bundled models.
 */
export function modelSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.STYLEMIRROR_MODELS ?? '').split(path.delimiter).filter((p) => p !== '');
  return [...fromEnv, BUNDLED_MODELS_DIR];
}

/**
 * `--model` takes a folder (anything with a path separator, or an existing folder) or a model id: the
 * name of a model folder inside one of the search-path folders.
 */
export async function resolveModelArgument(arg: string, searchPath = modelSearchPath()): Promise<string> {
  if (arg.includes('/') || arg.includes(path.sep) || (await isFolder(arg))) return path.resolve(arg);
  for (const root of searchPath) {
    const candidate = path.join(root, arg);
    if (await isFolder(candidate)) return candidate;
  }
  const known = (await Promise.all(searchPath.map(listModelIds))).flat();
  throw new Error(
    `No style model "${arg}" in ${searchPath.join(', ')}. ` +
      (known.length > 0 ? `Known models: ${known.join(', ')}. ` : '') +
      'Give a model folder path, or add folders to STYLEMIRROR_MODELS.',
  );
}

/** Names of the sub-folders of `root` that hold a manifest.json. */
export async function listModelIds(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const name of names.sort()) {
    try {
      if ((await stat(path.join(root, name, 'manifest.json'))).isFile()) ids.push(name);
    } catch {
      // Not a model folder.
    }
  }
  return ids;
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
