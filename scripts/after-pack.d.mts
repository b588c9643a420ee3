import type { FuseV1Config } from '@electron/fuses';

/** Types for scripts/after-pack.mjs (plain JavaScript, as electron-builder loads it), for the tests. */
export interface AfterPackContext {
  readonly appOutDir: string;
  readonly electronPlatformName: string;
  readonly packager: {
    readonly appInfo: { readonly productFilename: string };
    readonly executableName?: string;
  };
}

export declare const ELECTRON_FUSES: Readonly<FuseV1Config>;
export declare function electronBinary(context: AfterPackContext): string;
export default function afterPack(context: AfterPackContext): Promise<void>;
