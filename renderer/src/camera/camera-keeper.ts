import type { Settings } from '../../../common/settings-schema.js';
import type { Timers } from '../lib/timers.js';
import type { CameraDevice } from '../store/camera-slice.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { chooseCamera, type KnownCamera, type ListedCamera } from './camera-choice.js';
import { videoConstraints, type VideoConstraints } from './camera-constraints.js';
import { describeCameraError, isMissingDeviceError, NO_CAMERA_API_MESSAGE } from './camera-errors.js';

/** Waits between attempts to get a lost camera back: 1 s, doubling, then every 8 s for as long as it takes. */
export const CAMERA_RETRY_MS = [1000, 2000, 4000, 8000] as const;

/** The parts of a MediaStreamTrack the keeper uses (DOM-free, so it is testable in Node). */
export interface CameraTrack {
  readonly label: string;
  stop(): void;
  getSettings(): { readonly deviceId?: string; readonly groupId?: string };
  addEventListener(type: 'ended', listener: () => void): void;
}

/** The parts of a MediaStream the keeper uses. */
export interface CameraStream {
  getVideoTracks(): readonly CameraTrack[];
  getTracks(): readonly CameraTrack[];
}

/** The camera API the keeper uses: `navigator.mediaDevices`, or a test's fake. */
export interface CameraMedia<S extends CameraStream> {
  getUserMedia(constraints: { video: VideoConstraints; audio: false }): Promise<S>;
  enumerateDevices(): Promise<readonly ListedDevice[]>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

/** A device as `enumerateDevices` lists it: cameras are `videoinput`. */
export interface ListedDevice extends ListedCamera {
  readonly kind: string;
}

/** Where the stream is played: the stage's video element (a test's fake). */
export interface CameraScreen<S extends CameraStream> {
  /** Plays `stream`; rejects when it cannot. */
  play(stream: S): Promise<void>;
  /** Lets go of `stream` if it is the one playing. */
  clear(stream: S): void;
}

export interface CameraKeeperOptions<S extends CameraStream> {
  /** Undefined where the page has no camera API (not a secure context). */
  readonly media: CameraMedia<S> | undefined;
  readonly screen: CameraScreen<S>;
  readonly store: MirrorStore;
  readonly timers: Timers;
  /** The chosen camera is not there and another is shown: the person is told. */
  readonly onFallback: (message: string) => void;
}

/** Failures no retry fixes by itself: only "Try again" or a camera change tries again. */
const PERMANENT_ERRORS = new Set(['NotAllowedError', 'PermissionDeniedError', 'SecurityError']);

/**
 * Keeps the camera playing. Opens the camera the settings choose; when it goes (unplugged, taken by
 * the system, or stalled as the watchdog saw) the store says `lost` and the keeper tries again with
 * backoff and at once whenever cameras come and go, also finding the camera under a new device id.
 * Writes the store's camera state, error and list; stops every stream it replaced or closed, so a
 * camera's light goes off.
 */
export class CameraKeeper<S extends CameraStream = CameraStream> {
  private camera: Settings['camera'] | null = null;
  /** The saved camera as it was when it last worked, to find it again under a new id. */
  private known: { readonly savedId: string | null; readonly camera: KnownCamera } | null = null;
  private stream: S | null = null;
  /** Bumped by every new attempt and by close: an older attempt's result is dropped. */
  private attempt = 0;
  private failures = 0;
  private retryTimer: unknown;
  private readonly onDeviceChange = (): void => {
    void this.listCameras();
    const { recovery, cameraError } = this.options.store.getState();
    // Only a camera that is not working is worth retrying when the devices change; at once.
    if (recovery.camera !== 'live' || cameraError !== null) this.retry(true);
  };

  constructor(private readonly options: CameraKeeperOptions<S>) {
    options.media?.addEventListener('devicechange', this.onDeviceChange);
    void this.listCameras();
  }

  /** Opens the camera `camera` chooses (again, when the settings changed or "Try again" was chosen). */
  open(camera: Settings['camera']): void {
    if (this.known?.savedId !== camera.deviceId) this.known = null;
    this.camera = camera;
    this.failures = 0;
    void this.start();
  }

  /**
   * The camera stopped: unplugged (its track ended) or, as the stall watchdog saw, no frames for
   * too long. Shows it lost and gets it back.
   */
  reconnect(): void {
    if (this.camera === null) return;
    this.options.store.getState().setCameraHealth('lost');
    this.failures = 0;
    void this.start();
  }

  /** Stops the camera and every retry, for good. */
  close(): void {
    this.attempt++;
    this.options.timers.clearTimeout(this.retryTimer);
    this.options.media?.removeEventListener('devicechange', this.onDeviceChange);
    this.release();
  }

  private retry(now: boolean): void {
    if (this.camera === null) return;
    this.options.timers.clearTimeout(this.retryTimer);
    if (now) {
      void this.start();
      return;
    }
    const delay = CAMERA_RETRY_MS[Math.min(this.failures, CAMERA_RETRY_MS.length - 1)]!;
    this.failures++;
    this.retryTimer = this.options.timers.setTimeout(() => void this.start(), delay);
  }

  private async start(): Promise<void> {
    const { media, store, screen } = this.options;
    const camera = this.camera;
    if (camera === null) return;
    const attempt = ++this.attempt;
    this.options.timers.clearTimeout(this.retryTimer);
    this.release();
    if (store.getState().recovery.camera !== 'lost') store.getState().setCameraHealth('starting');
    if (media === undefined) {
      store.getState().setCameraError(NO_CAMERA_API_MESSAGE);
      return;
    }

    const choice = chooseCamera(camera.deviceId, this.known?.camera ?? null, await this.listCameras());
    if (attempt !== this.attempt) return;
    let stream: S;
    let fallback = choice.fallback;
    try {
      stream = await this.getUserMedia(camera, choice.deviceId);
    } catch (error) {
      if (attempt !== this.attempt) return;
      if (choice.deviceId === null || !isMissingDeviceError(error)) {
        this.failed(error);
        return;
      }
      // The chosen camera is gone and the list could not say so: any camera beats a black wall.
      try {
        stream = await this.getUserMedia(camera, null);
        fallback = true;
      } catch (fallbackError) {
        if (attempt === this.attempt) this.failed(fallbackError);
        return;
      }
    }
    if (attempt !== this.attempt) {
      stopTracks(stream);
      return;
    }
    this.stream = stream;
    const track = stream.getVideoTracks()[0];
    track?.addEventListener('ended', () => {
      if (attempt === this.attempt) this.reconnect();
    });
    try {
      await screen.play(stream);
    } catch (error) {
      // play() is interrupted when the stream is replaced meanwhile: that is not a camera problem.
      if (attempt === this.attempt) this.failed(error);
      return;
    }
    if (attempt !== this.attempt) return;
    if (!fallback && track !== undefined) this.known = { savedId: camera.deviceId, camera: knownFrom(track) };
    if (fallback)
      this.options.onFallback('The chosen camera is not connected: showing another camera instead.');
    this.failures = 0;
    store.getState().setCameraError(null);
    store.getState().setCameraHealth('live');
    // Labels are only readable once the page has camera permission: list again now.
    void this.listCameras();
  }

  private getUserMedia(camera: Settings['camera'], deviceId: string | null): Promise<S> {
    const constraints = videoConstraints({ ...camera, deviceId }, deviceId !== null);
    return this.options.media!.getUserMedia({ video: constraints, audio: false });
  }

  /** Says why, and tries again later unless only the person can fix it (a refused permission). */
  private failed(error: unknown): void {
    const { store } = this.options;
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    // A lost camera keeps its own card while it is being got back.
    if (store.getState().recovery.camera !== 'lost' || PERMANENT_ERRORS.has(name)) {
      store.getState().setCameraError(describeCameraError(error));
    }
    if (!PERMANENT_ERRORS.has(name)) this.retry(false);
  }

  private release(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream === null) return;
    stopTracks(stream);
    this.options.screen.clear(stream);
  }

  /** Lists the cameras into the store, and returns them (null when they cannot be listed). */
  private async listCameras(): Promise<readonly ListedCamera[] | null> {
    const { media, store } = this.options;
    if (media === undefined) return null;
    try {
      const listed = (await media.enumerateDevices()).filter((d) => d.kind === 'videoinput');
      const cameras: CameraDevice[] = listed
        .filter((d) => d.deviceId !== '')
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label !== '' ? d.label : `Camera ${i + 1}` }));
      store.getState().setCameras(cameras);
      return listed;
    } catch {
      // Without a list the select offers the default camera only; the mirror itself is unaffected.
      return null;
    }
  }
}

function knownFrom(track: CameraTrack): KnownCamera {
  const settings = track.getSettings();
  return { deviceId: settings.deviceId ?? '', groupId: settings.groupId ?? '', label: track.label };
}

function stopTracks(stream: CameraStream): void {
  for (const track of stream.getTracks()) track.stop();
}
