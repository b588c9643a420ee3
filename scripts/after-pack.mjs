// @ts-check
/**
 * electron-builder's afterPack hook (electron-builder.yml): flips the packaged Electron binary's fuses
 * before it is signed, switching off what Style Mirror never uses and an attacker could:
 *
 * - RunAsNode off: `ELECTRON_RUN_AS_NODE=1 "Style Mirror"` cannot turn the signed app into a plain Node.
 * - EnableNodeOptionsEnvironmentVariable off: NODE_OPTIONS cannot preload code into main.
 * - EnableNodeCliInspectArguments off: `--inspect` cannot open a debugger into main.
 * - EnableCookieEncryption on: cookies on disk are encrypted with the OS keychain.
 * - EnableEmbeddedAsarIntegrityValidation on: app.asar must match the hash electron-builder embeds
 *   (macOS, Windows).
 * - OnlyLoadAppFromAsar on: the app is loaded from app.asar only, never from a folder placed beside it.
 * - LoadBrowserProcessSpecificV8Snapshot off: no separate snapshot file for main to trust.
 * - GrantFileProtocolExtraPrivileges off: the page is served from app://, file:// needs no privileges.
 *
 * The engine's utilityProcess needs none of the switched-off ones.
 */
import path from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** The fuses every packaged build gets; the test checks each. */
export const ELECTRON_FUSES = Object.freeze({
  version: FuseVersion.V1,
  // Not strict: a newer Electron whose wire has fuses @electron/fuses 1.8 does not know keeps their
  // defaults instead of failing the build. Every fuse it knows is set here explicitly.
  strictlyRequireAllFuses: false,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
});

/**
 * The Electron binary electron-builder just packed, named as electron-builder names it: the .app on
 * macOS, the .exe on Windows, the lower-case executable name on Linux.
 *
 * @param {{ appOutDir: string, electronPlatformName: string,
 *   packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 */
export function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      if (packager.executableName === undefined) throw new Error('afterPack: no Linux executable name.');
      return path.join(appOutDir, packager.executableName);
    default:
      throw new Error(`afterPack: cannot flip fuses for platform ${electronPlatformName}.`);
  }
}

/**
 * Flips {@link ELECTRON_FUSES} in the packed binary. On macOS the ad-hoc signature is redone (an
 * unsigned arm64 app would not start with a stale one); a real signature comes after this hook.
 *
 * @param {Parameters<typeof electronBinary>[0]} context
 */
export default async function afterPack(context) {
  const binary = electronBinary(context);
  const darwin = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(binary, { ...ELECTRON_FUSES, resetAdHocDarwinSignature: darwin });
}
