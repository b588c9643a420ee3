/** Where the end-to-end tests find the checkout, its build, and the shared test data beside it. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Chromium's fake camera plays this: the shared fox video, 320x240 at 15 fps. */
export const FAKE_CAMERA = path.resolve(REPO_ROOT, '../shared/video/fox_320x240_15fps.y4m');
/** The built page (`npm run build`). */
export const RENDERER_DIR = path.join(REPO_ROOT, 'dist/renderer');
/** The built engine worker: a worker thread cannot run TypeScript. */
export const BUILT_WORKER = path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js');
/** Where the tests leave their screenshots. */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-results/e2e');
