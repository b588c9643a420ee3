import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModelFolders } from '../core/model-library.js';

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
  // The same scan the app's model picker uses, so both name the same models.
  const known = (await Promise.all(searchPath.map((root) => listModelFolders(root)))).flat();
  throw new Error(
    `No style model "${arg}" in ${searchPath.join(', ')}. ` +
      (known.length > 0 ? `Known models: ${known.join(', ')}. ` : '') +
      'Give a model folder path, or add folders to STYLEMIRROR_MODELS.',
  );
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
