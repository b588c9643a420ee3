/**
 * Records the painted mirror (the display canvas) to WebM with MediaRecorder, up to a time limit.
 * MediaRecorder writes WebM without a duration (players then show none and cannot seek), so the blob
 * is given its duration when the recording stops.
 */
import fixWebmDuration from 'fix-webm-duration';

/** A recording stops by itself after this long: a forgotten one must not fill the disk. */
export const MAX_RECORDING_SECONDS = 5 * 60;
/** The canvas's frames are taken at most this often; the mirror paints fewer on most machines. */
const CAPTURE_FPS = 30;

/** The first WebM codec this browser records, best first. */
export function recordingMimeType(isTypeSupported: (type: string) => boolean): string {
  return (
    ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((type) => isTypeSupported(type)) ??
    'video/webm'
  );
}

export interface Recording {
  readonly blob: Blob;
  readonly seconds: number;
}

export class CanvasRecorder {
  private recorder: MediaRecorder | null = null;
  private chunks: Blob[] = [];
  private startedAt = 0;
  private limit: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get recording(): boolean {
    return this.recorder !== null;
  }

  /** Starts recording `canvas`; `onLimit` is called when the time limit stops it. */
  start(canvas: HTMLCanvasElement, onLimit: () => void, maxSeconds = MAX_RECORDING_SECONDS): void {
    if (this.recorder !== null) return;
    const stream = canvas.captureStream(CAPTURE_FPS);
    const recorder = new MediaRecorder(stream, {
      mimeType: recordingMimeType((type) => MediaRecorder.isTypeSupported(type)),
    });
    this.chunks = [];
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) this.chunks.push(event.data);
    };
    // A chunk a second: a crash mid-recording loses at most the last second, not everything.
    recorder.start(1000);
    this.recorder = recorder;
    this.startedAt = this.now();
    this.limit = setTimeout(onLimit, maxSeconds * 1000);
  }

  /** Stops and returns the recording, with its duration written into the file. */
  async stop(): Promise<Recording | null> {
    const recorder = this.recorder;
    if (recorder === null) return null;
    this.recorder = null;
    clearTimeout(this.limit);
    const stopped = new Promise<void>((resolve) => recorder.addEventListener('stop', () => resolve()));
    recorder.stop();
    for (const track of recorder.stream.getTracks()) track.stop();
    await stopped;
    const seconds = (this.now() - this.startedAt) / 1000;
    const raw = new Blob(this.chunks, { type: recorder.mimeType });
    this.chunks = [];
    const blob = await fixWebmDuration(raw, seconds * 1000, { logger: false });
    return { blob, seconds };
  }
}
