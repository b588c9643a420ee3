import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A built-looking renderer folder in a fresh temp folder, with things beside it that must never be served. */
export interface RendererFolder {
  /** The temp folder around it: `outside/secret.txt` and `renderer-sibling.txt` live here. */
  readonly temp: string;
  /** The renderer folder: index.html, assets/app.{js,css}, assets/blob.xyz, and links (see below). */
  readonly root: string;
  remove(): Promise<void>;
}

/** Text of the file outside the folder: a response containing it is a leak. */
export const SECRET = 'TOP SECRET CONTENTS';

/**
 * Creates the folder. Its links: `assets/escape.js` to a file outside, `linked-folder` to a folder
 * outside, `assets/alias.js` to `app.js` (inside), `broken.js` to nothing.
 */
export async function makeRendererFolder(): Promise<RendererFolder> {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-renderer-'));
  const root = path.join(temp, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await mkdir(path.join(temp, 'outside'));
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Style Mirror</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log("mirror");');
  await writeFile(path.join(root, 'assets', 'app.css'), 'body { background: black; }');
  await writeFile(path.join(root, 'assets', 'blob.xyz'), 'opaque');
  await writeFile(path.join(temp, 'outside', 'secret.txt'), SECRET);
  await writeFile(path.join(temp, 'renderer-sibling.txt'), 'sibling');
  await symlink(path.join(temp, 'outside', 'secret.txt'), path.join(root, 'assets', 'escape.js'));
  await symlink(path.join(temp, 'outside'), path.join(root, 'linked-folder'));
  await symlink('app.js', path.join(root, 'assets', 'alias.js'));
  await symlink(path.join(temp, 'nowhere'), path.join(root, 'broken.js'));
  return { temp, root, remove: () => rm(temp, { recursive: true, force: true }) };
}
