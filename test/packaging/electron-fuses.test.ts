/**
 * The packaged app's fuses: the configuration, the hook electron-builder runs, and a real flip by
 * @electron/fuses on a stand-in binary carrying an Electron fuse wire (the Electron binary itself
 * cannot be installed here).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants.js';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { resolveFunction } from 'app-builder-lib/out/util/resolve.js';
import { describe, expect, it } from 'vitest';
import afterPack, { electronBinary, ELECTRON_FUSES } from '../../scripts/after-pack.mjs';
import { makeTempDir } from '../support/model-fixtures.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

const LINUX_PACKAGER = { appInfo: { productFilename: 'Style Mirror' }, executableName: 'style-mirror' };

/** Electron's defaults for the eight fuses @electron/fuses 1.8 knows, as a binary carries them. */
const DEFAULT_WIRE = '10110001';

/** A stand-in Electron binary: bytes around a fuse wire, as @electron/fuses finds it in the real one. */
async function fakeElectron(file: string, wire: string): Promise<Buffer> {
  const bytes = Buffer.concat([
    Buffer.from('\x7fELF…machine code…'),
    Buffer.from(SENTINEL, 'ascii'),
    Buffer.from([1, wire.length]),
    Buffer.from(wire, 'ascii'),
    Buffer.from('…more machine code'),
  ]);
  await writeFile(file, bytes);
  return bytes;
}

describe('the fuse configuration', () => {
  it.each([
    ['RunAsNode', false],
    ['EnableNodeOptionsEnvironmentVariable', false],
    ['EnableNodeCliInspectArguments', false],
    ['EnableCookieEncryption', true],
    ['EnableEmbeddedAsarIntegrityValidation', true],
    ['OnlyLoadAppFromAsar', true],
    ['LoadBrowserProcessSpecificV8Snapshot', false],
    ['GrantFileProtocolExtraPrivileges', false],
  ] as const)('%s is %s', (fuse, state) => {
    expect(ELECTRON_FUSES[FuseV1Options[fuse]]).toBe(state);
  });

  it('sets every fuse @electron/fuses knows, on wire version 1', () => {
    const known = Object.values(FuseV1Options).filter((v) => typeof v === 'number');
    expect(known.every((index) => typeof ELECTRON_FUSES[index as FuseV1Options] === 'boolean')).toBe(true);
    expect(ELECTRON_FUSES.version).toBe('1');
  });
});

describe('the afterPack hook', () => {
  it('is what electron-builder.yml runs, as electron-builder reads and loads it', async () => {
    // electron-builder's own reading of the project's configuration, then its own hook loader.
    const config = await getConfig(REPO_ROOT, null, null);
    expect(config.afterPack).toBe('./scripts/after-pack.mjs');
    // electron-builder's own fuse flipping would run after ours and could undo it: one place only.
    expect(config.electronFuses ?? null).toBeNull();
    const hook = (await resolveFunction<unknown>(
      undefined,
      config.afterPack as string,
      'afterPack',
      REPO_ROOT,
    )) as typeof afterPack | undefined;
    expect(typeof hook).toBe('function');
    const appOutDir = await makeTempDir();
    await fakeElectron(path.join(appOutDir, 'style-mirror'), DEFAULT_WIRE);
    await hook!({ appOutDir, electronPlatformName: 'linux', packager: LINUX_PACKAGER });
    const wire = await getCurrentFuseWire(path.join(appOutDir, 'style-mirror'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
  });

  it('flips the fuses of the binary electron-builder packed, and nothing else in it', async () => {
    const appOutDir = await makeTempDir();
    const binary = path.join(appOutDir, 'style-mirror');
    const before = await fakeElectron(binary, DEFAULT_WIRE);
    const context = {
      appOutDir,
      electronPlatformName: 'linux',
      packager: LINUX_PACKAGER,
    };
    await afterPack(context);

    const wire = await getCurrentFuseWire(binary);
    const on = FuseState.ENABLE;
    const off = FuseState.DISABLE;
    expect(wire[FuseV1Options.RunAsNode]).toBe(off);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(on);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(on);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(off);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(off);
    const after = await readFile(binary);
    expect(after.length).toBe(before.length);
    const wireStart = before.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(after.subarray(0, wireStart)).toEqual(before.subarray(0, wireStart));
    expect(after.subarray(wireStart + 8)).toEqual(before.subarray(wireStart + 8));
  });

  it('leaves a fuse it does not know at its default rather than failing the build', async () => {
    const appOutDir = await makeTempDir();
    const binary = path.join(appOutDir, 'style-mirror');
    await fakeElectron(binary, `${DEFAULT_WIRE}1`);
    await afterPack({
      appOutDir,
      electronPlatformName: 'linux',
      packager: LINUX_PACKAGER,
    });
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect((wire as Record<number, number>)[8]).toBe(FuseState.ENABLE);
  });

  it('finds the binary as electron-builder names it on each platform, and refuses a binary without fuses', async () => {
    const packager = LINUX_PACKAGER;
    expect(electronBinary({ appOutDir: '/out', electronPlatformName: 'darwin', packager })).toBe(
      path.join('/out', 'Style Mirror.app'),
    );
    expect(electronBinary({ appOutDir: '/out', electronPlatformName: 'win32', packager })).toBe(
      path.join('/out', 'Style Mirror.exe'),
    );
    const appOutDir = await makeTempDir();
    await writeFile(path.join(appOutDir, 'style-mirror'), 'not electron');
    await expect(afterPack({ appOutDir, electronPlatformName: 'linux', packager })).rejects.toThrow(
      /sentinel/,
    );
  });
});
