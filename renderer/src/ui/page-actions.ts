import type { AppServices } from './app-context.js';

/** Toggles the document's fullscreen (F11, double-click, the button). */
export function toggleFullscreen(): void {
  const request =
    document.fullscreenElement !== null
      ? document.exitFullscreen()
      : document.documentElement.requestFullscreen();
  // Refused without a user gesture, or by the embedding page: nothing to do but stay as we are.
  request.catch(() => undefined);
}

/** Saves what the display canvas shows, as PNG, through the controller. */
export async function takeSnapshot({ surfaces, controller }: AppServices): Promise<void> {
  const canvas = surfaces.display;
  if (canvas === null || canvas.width === 0) return;
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob === null) {
    controller.notifier.toast('error', 'Could not make a PNG of the picture.');
    return;
  }
  await controller.saveSnapshot(new Uint8Array(await blob.arrayBuffer()));
}
