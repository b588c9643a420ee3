import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `scripts/install-chromium.sh` (Playwright's own browser download is not used). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for headless Chromium as root in a closed network, with WebGL on SwiftShader (the CPU
 * Vulkan/GL implementation that ships with Chromium), since test machines have no GPU.
 */
const DEFAULT_ARGS: readonly string[] = [
  // Running as root in a container: the setuid/namespace sandbox cannot start.
  '--no-sandbox',
  // Nothing may reach out to the network: no component updates, sync, field trials or QUIC probes.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  // Debian's wrapper tries to decide this from /dev/shm's free space, but its check is broken in
  // containers (it prints "unexpected operator"); small /dev/shm mounts crash the GPU process.
  '--disable-dev-shm-usage',
  // WebGL on SwiftShader: ANGLE's SwiftShader backend, and opting in to it (Chromium refuses the
  // software fallback for WebGL without --enable-unsafe-swiftshader since M137).
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

/** Whether Debian's Chromium is installed and executable here. */
export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Launches headless Debian Chromium with the flags above plus `extraArgs`. The caller closes it. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...DEFAULT_ARGS, ...extraArgs],
  });
}

/**
 * Launches headless Debian Chromium whose camera is a fake one playing `video` (a .y4m), granted
 * without a prompt, plus `extraArgs`. The caller closes it.
 */
export function launchWithFakeCamera(video: string, extraArgs: readonly string[] = []): Promise<Browser> {
  return launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    ...extraArgs,
  ]);
}

/** A page in a context of its own, `viewport` sized, with the camera granted to `url`'s origin. */
export async function openCameraPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number } = { width: 960, height: 640 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['camera'], { origin: new URL(url).origin });
  return context.newPage();
}
