import { mirrorStore } from '../store/mirror-store.js';
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

/**
 * Starts recording what the mirror shows, or stops and keeps the recording: saved beside the
 * snapshots in the app, downloaded by the browser in browser mode (the server keeps no recordings).
 */
export async function toggleRecording(services: AppServices): Promise<void> {
  const { surfaces, controller } = services;
  const { recorder } = surfaces;
  const state = mirrorStore.getState();
  if (recorder.recording) {
    state.setRecordingSince(null);
    const recording = await recorder.stop();
    if (recording === null) return;
    if (controller.api.transport === 'browser') {
      downloadBlob(recording.blob, `style-mirror-${fileTimestamp(new Date())}.webm`);
      controller.notifier.toast('snapshot', `Recording (${Math.round(recording.seconds)} s) downloaded.`);
    } else {
      await controller.saveRecording(new Uint8Array(await recording.blob.arrayBuffer()), recording.seconds);
    }
    return;
  }
  const canvas = surfaces.display;
  if (canvas === null || canvas.width === 0) return;
  try {
    recorder.start(canvas, () => void toggleRecording(services));
    state.setRecordingSince(performance.now());
  } catch (error) {
    controller.notifier.toast('error', `Could not start recording: ${(error as Error).message}`);
  }
}

function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // After the click has handed the URL to the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** 2026-12-02T10-15-30: sortable, and valid in file names everywhere. */
function fileTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}
