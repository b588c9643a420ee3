/**
 * The packages electron-builder makes (`npm run dist`), checked from its own reading of
 * electron-builder.yml: the targets each platform gets, the bundled models outside app.asar, the native
 * modules unpacked, and that the app finds its pieces where the package puts them. Packaging itself
 * downloads Electron and its build tools, which CI cannot reach; this is what can be checked here.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import {
  bundledModelsDir,
  ENGINE_WORKER_PATH,
  PRELOAD_PATH,
  RENDERER_DIR,
} from '../../main/app/app-paths.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

type Target = string | { target: string; arch?: string[] };
const targetNames = (targets: unknown): string[] =>
  (targets as Target[]).map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder.yml', async () => {
  const config = await getConfig(REPO_ROOT, null, null);

  it('makes an AppImage and a deb, a dmg for Apple silicon and Intel, and an NSIS installer', () => {
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
    // The camera prompt on macOS says why.
    expect(config.mac?.extendInfo).toMatchObject({
      NSCameraUsageDescription: expect.stringMatching(/camera/),
    });
  });

  it('ships the bundled styles as plain files in resources/models, with their licences', () => {
    expect(config.extraResources).toEqual([{ from: 'models', to: 'models' }]);
    expect(existsSync(path.join(REPO_ROOT, 'models', 'LICENSES.md'))).toBe(true);
  });

  it('unpacks the native modules from app.asar (they cannot load from inside it)', () => {
    const unpack = config.asarUnpack as string[];
    for (const file of [
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    ]) {
      expect(
        unpack.some((pattern) => minimatch(file, pattern)),
        file,
      ).toBe(true);
    }
  });

  it("packs the build and leaves out source maps and the command line's own tools", () => {
    // electron-builder normalises the list into one filter set.
    const files = (config.files as { filter: string[] }[])[0]!.filter;
    const included = (file: string): boolean => {
      let verdict = false;
      for (const pattern of files) {
        if (pattern.startsWith('!')) {
          if (minimatch(file, pattern.slice(1))) verdict = false;
        } else if (minimatch(file, pattern)) verdict = true;
      }
      return verdict;
    };
    expect(included('dist/main/app/main.js')).toBe(true);
    expect(included('dist/renderer/index.html')).toBe(true);
    expect(included('dist/main/app/main.js.map')).toBe(false);
    expect(files).toEqual(
      expect.arrayContaining(['!node_modules/@ffmpeg-installer/**', '!node_modules/vega/**']),
    );
  });

  it('flips the fuses after packing (the hook itself: electron-fuses.test.ts)', () => {
    expect(config.afterPack).toBe('./scripts/after-pack.mjs');
  });
});

describe('where the app finds its pieces, packaged and not', () => {
  it('reads the bundled models from resources/models when packaged, where extraResources put them', () => {
    const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
    (process as { resourcesPath?: string }).resourcesPath = '/opt/Style Mirror/resources';
    try {
      expect(
        bundledModelsDir({ isPackaged: true, getAppPath: () => '/opt/Style Mirror/resources/app.asar' }),
      ).toBe(path.join('/opt/Style Mirror/resources', 'models'));
    } finally {
      (process as { resourcesPath?: string }).resourcesPath = resourcesPath;
    }
    expect(bundledModelsDir({ isPackaged: false, getAppPath: () => REPO_ROOT })).toBe(
      path.join(REPO_ROOT, 'models'),
    );
  });

  it('loads the page, preload and engine from dist/, which the package carries as it is in the checkout', () => {
    // Compiled, app-paths.js sits in dist/main/app: the same relative places in app.asar.
    for (const [piece, expected] of [
      [RENDERER_DIR, 'renderer/'],
      [PRELOAD_PATH, 'preload/preload.cjs'],
      [ENGINE_WORKER_PATH, 'main/engine/worker/engine-worker.js'],
    ] as const) {
      const fromDist = path.relative(path.join(REPO_ROOT, 'main', 'app'), piece);
      expect(path.posix.join('dist/main/app', fromDist.split(path.sep).join('/')), piece).toBe(
        path.posix.join('dist/main/app', path.posix.relative('main/app', expected)),
      );
    }
  });
});

describe('Electron', () => {
  it('is on the newest 45.x this project has checked (45.5 or later), in package.json and installed', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.electron).toMatch(/^\^45\.(\d+)\./);
    const installed = (
      JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const [major, minor] = installed.split('.').map(Number);
    expect(major).toBe(45);
    expect(minor).toBeGreaterThanOrEqual(5);
  });
});
