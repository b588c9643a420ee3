/** Real models and a real validator for model-import tests. */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelValidator } from '../../main/core/model-import.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The real ml5 models (shared test data, absent on a user's machine). */
export const SHARED_ML5_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
export const SHARED_STYLE_IMAGES = path.resolve(REPO_ROOT, '../shared/images/style');
/** Why model-import tests on real models are skipped here, or null when they run. */
export const NO_REAL_MODELS = existsSync(path.join(SHARED_ML5_MODELS, 'rain_princess', 'manifest.json'))
  ? null
  : `no real ml5 models at ${SHARED_ML5_MODELS}`;

/** The production validator for ml5 folders: the engine's reader, which decodes every weight. */
export const validateMl5: ModelValidator = async (dir) => {
  await readMl5Model(dir);
  return { format: 'ml5' };
};

/**
 * Puts the files of `from` into the new folder `to`: hard links where the file system allows (fast,
 * and a mutation must then write a new file, never edit one in place), copies otherwise.
 */
export async function cloneFolder(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    await link(path.join(from, name), path.join(to, name)).catch(() =>
      copyFile(path.join(from, name), path.join(to, name)),
    );
  }
}
