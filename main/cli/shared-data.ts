/**
 * Where the benches find the project's shared test data (`../shared` beside the checkout): models,
 * photos and the fake camera's video. Users do not have it; a bench says so when it is missing.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listModelFolders } from '../core/model-library.js';
import { PACKAGE_ROOT } from './model-library.js';
import { parseY4m } from './y4m.js';

export const SHARED_DIR = path.resolve(PACKAGE_ROOT, '../shared');

/** The real video Chromium's fake camera plays: 320x240, 15 fps, a fox moving. */
export const FOX_VIDEO = path.join(SHARED_DIR, 'video/fox_320x240_15fps.y4m');

/** A still photo of a face, 4:3 like a webcam's picture. */
export const STILL_PHOTO = path.join(SHARED_DIR, 'images/content/face.jpg');

/**
 * The models a bench runs: `model` alone (a folder path, or a folder name inside the models folder),
 * else every model folder in the models folder (`models`, else the first of STYLEMIRROR_MODELS, else
 * the shared ml5 models), in name order. Never empty.
 *
 * @throws {Error} when the models folder holds no model, or has no folder named `model`.
 */
export async function benchModelFolders(
  options: { readonly models?: string; readonly model?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ modelsDir: string; folders: [string, ...string[]] }> {
  const { model } = options;
  if (model !== undefined && (model.includes('/') || model.includes(path.sep))) {
    const dir = path.resolve(model);
    return { modelsDir: path.dirname(dir), folders: [path.basename(dir)] };
  }
  const fromEnv = (env.STYLEMIRROR_MODELS ?? '').split(path.delimiter).find((p) => p !== '');
  const modelsDir = path.resolve(options.models ?? fromEnv ?? path.join(SHARED_DIR, 'models/ml5'));
  const folders = await listModelFolders(modelsDir);
  if (folders.length === 0) {
    throw new Error(`No style models in ${modelsDir}. Give a folder of ml5 model folders with --models DIR.`);
  }
  if (model !== undefined && !folders.includes(model)) {
    throw new Error(`No style model "${model}" in ${modelsDir}. Known models: ${folders.join(', ')}.`);
  }
  return { modelsDir, folders: model === undefined ? (folders as [string, ...string[]]) : [model] };
}

/** The fake camera the benches and the soak run play: the fox video, or Chromium's own test pattern. */
export function fakeCamera(): { readonly source: string; readonly args: readonly string[] } {
  return existsSync(FOX_VIDEO)
    ? { source: FOX_VIDEO, args: [`--use-file-for-fake-video-capture=${FOX_VIDEO}`] }
    : { source: "Chromium's synthetic test pattern (the fox video is missing)", args: [] };
}

/**
 * The fox video played at `fps` instead of its own 15: the same frames, faster, written into `dir`
 * (Chromium's fake camera plays a .y4m at its header's rate). For measuring a pipeline that can paint
 * faster than 15 fps, where the camera would otherwise set the pace; no frame repeats, so nothing rests.
 *
 * @throws {Error} when the fox video is missing: a faster test pattern is not Chromium's to give.
 */
export async function fasterFoxCamera(
  fps: number,
  dir: string,
): Promise<{ readonly source: string; readonly args: readonly string[] }> {
  if (!existsSync(FOX_VIDEO)) {
    throw new Error(`--camera-fps needs the fox video, ${FOX_VIDEO}, which is missing.`);
  }
  const bytes = await readFile(FOX_VIDEO);
  const { header } = parseY4m(bytes, FOX_VIDEO);
  const line = header.line.replace(/ F\d+:\d+/, ` F${fps}:1`);
  const file = path.join(dir, `fox_320x240_${fps}fps.y4m`);
  await writeFile(file, Buffer.concat([Buffer.from(line), bytes.subarray(header.line.length)]));
  return {
    source: `${FOX_VIDEO} played at ${fps} fps`,
    args: [`--use-file-for-fake-video-capture=${file}`],
  };
}
