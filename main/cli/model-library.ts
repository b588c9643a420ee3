import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModelFolders, ModelLibrary, ModelLibraryError } from '../core/model-library.js';
import { stylemirrorPaths } from '../engine/stylemirror-home.js';

/**
 * The checkout's (or installed package's) root: the nearest folder above this file with a
 * package.json. Found, not counted: this file runs from main/cli/ under vitest and from dist/main/cli/
 * once built.
 */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The project's own `models/` folder: the styles that ship with Style Mirror. */
export const BUNDLED_MODELS_DIR = path.join(PACKAGE_ROOT, 'models');

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
  }
}

/** The library the CLI shares with the app and browser mode (STYLEMIRROR_HOME moves it). */
export function cliModelLibrary(env: NodeJS.ProcessEnv = process.env): ModelLibrary {
  return new ModelLibrary({
    bundledDir: BUNDLED_MODELS_DIR,
    libraryDir: stylemirrorPaths(env).libraryDir,
    userDir: () => null,
  });
}

/**
 * Folders searched for a bare model name after the library, in order: each entry of
 * `STYLEMIRROR_MODELS` (a path-delimiter-separated list, like PATH), then the bundled models.
 */
export function modelSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.STYLEMIRROR_MODELS ?? '').split(path.delimiter).filter((p) => p !== '');
  return [...fromEnv, BUNDLED_MODELS_DIR];
}

/**
 * `--model` takes a model folder (anything with a path separator, or an existing folder), a model id
 * as `stylemirror models list` prints it (`library:my_style`, `bundled:matta`), or a bare name: a
 * library model's id without its prefix, else a model folder in one of the search-path folders.
 */
export async function resolveModelArgument(
  arg: string,
  searchPath = modelSearchPath(),
  library = cliModelLibrary(),
): Promise<string> {
  if (arg.includes('/') || arg.includes(path.sep) || (await isFolder(arg))) return path.resolve(arg);
  if (/^(bundled|library|user):/.test(arg)) return (await library.resolve(arg)).dir;
  try {
    return (await library.resolve(`library:${arg}`)).dir;
  } catch (error) {
    if (!(error instanceof ModelLibraryError)) throw error;
  }
  for (const root of searchPath) {
    const candidate = path.join(root, arg);
    if (await isFolder(candidate)) return candidate;
  }
  // The same scans the app's model picker uses, so both name the same models.
  const known = [
    ...(await library.list()).map((model) => model.id),
    ...(await Promise.all(searchPath.slice(0, -1).map((root) => listModelFolders(root)))).flat(),
  ];
  throw new Error(
    `No style model "${arg}" in the library or in ${searchPath.join(', ')}. ` +
      (known.length > 0 ? `Known models: ${known.join(', ')}. ` : '') +
      'Give a model folder path or an id from `stylemirror models list`, or add folders to STYLEMIRROR_MODELS.',
  );
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
