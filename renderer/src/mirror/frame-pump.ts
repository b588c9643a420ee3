import type { Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { EngineFailureCode } from '../../../common/engine-errors.js';
import type { EngineError, StylizeResult } from '../../../common/engine-types.js';
import { lumaSignature } from '../../../common/temporal/frame-change.js';
import { toRgba } from '../api/frame-data.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { Size } from './cover-crop.js';
import { Crossfade } from './crossfade.js';
import { FrameCapture } from './frame-capture.js';
import { FrameScheduler, type FrameTicket } from './frame-scheduler.js';
import { FrameStats } from './frame-stats.js';
import type { PumpProgress } from './stall-watchdog.js';
import { publishStats } from './stats-global.js';
import { TemporalFrames, type SentFrame } from './temporal-frames.js';

/** How often the HUD's numbers refresh (the window's stats refresh on every frame). */
const HUD_REFRESH_MS = 250;

/**
 * Frame failures that mean the engine is restarting (or, in browser mode, out of reach while the
 * connection comes back): the picture shown is no longer live.
 */
const ENGINE_RECOVERY_CODES: ReadonlySet<string> = new Set<EngineFailureCode | 'disconnected'>([
  'engine-crashed',
  'engine-hung',
  'engine-busy',
  'disconnected',
]);

export interface FramePumpOptions {
  readonly api: Pick<MirrorApi, 'stylize'>;
  readonly store: MirrorStore;
  readonly video: HTMLVideoElement;
  /** The canvas people see; its pixel size is the processing size. */
  readonly display: HTMLCanvasElement;
  /** Frames are failing: the controller checks whether the engine needs its model again. */
  readonly onEngineTrouble: () => void;
}

/**
 * Moves frames: camera -> processing size -> engine -> display canvas, on every new camera frame,
 * with the FrameScheduler deciding which frames go (latest wins, never a queue) and TemporalFrames
 * holding back frames that show nothing new and steadying the results. Reads settings and the
 * current model from the store at each frame, so a change applies to the very next one.
 */
export class FramePump {
  private readonly scheduler = new FrameScheduler();
  private readonly stats = new FrameStats();
  private readonly capture = new FrameCapture();
  /** Its own capture for the unpainted camera: the frame path's pixels move to the engine. */
  private readonly cameraView = new FrameCapture();
  private readonly temporal = new TemporalFrames();
  private readonly context: CanvasRenderingContext2D | null;
  private running = false;
  private frameRequest: { readonly video: boolean; readonly handle: number } | undefined;
  private hudTimer: ReturnType<typeof setInterval> | undefined;
  private lastVideoTime = -1;
  /** Counts new camera frames; the engine is given each one at most once. */
  private latestCameraFrame = 0;
  /** When the camera took its newest frame, the one the video element shows: latency starts there. */
  private latestCameraFrameAt = 0;
  /** The camera frame captured last (then sent, or held back as nothing new). */
  private lastCapturedCameraFrame = 0;
  private unsubscribe: (() => void) | undefined;
  /** For the stall watchdog: when the newest camera frame came, and the newest painted frame was shown. */
  private lastCameraFrameAt: number | null = null;
  private lastShownAt: number | null = null;
  /**
   * Whether the canvas shows a painted frame. Until it does (no style loaded yet, or the last one was
   * deleted) it shows the camera itself: a mirror is never a black wall.
   */
  private painted = false;
  /** The style the picture shown was painted with: a result painted with another one crossfades in. */
  private paintedModelId: string | null = null;
  private readonly crossfade = new Crossfade();
  /** The newest painted picture, redrawn under the old one while a crossfade runs between frames. */
  private latest: { readonly stylized: ImageData; readonly original: ImageData | null } | undefined;
  private fadeRequest: number | undefined;

  constructor(private readonly options: FramePumpOptions) {
    this.context = options.display.getContext('2d', { alpha: false });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.requestNextFrame();
    this.hudTimer = setInterval(() => this.publish(true), HUD_REFRESH_MS);
    // The model in the stats follows the store even while no frame is shown (no model yet, no camera).
    this.unsubscribe = this.options.store.subscribe((state, previous) => {
      if (state.currentModelId !== previous.currentModelId) this.publish(true);
      if (state.currentModelId === null) {
        this.painted = false;
        this.paintedModelId = null;
      }
    });
    this.publish(true);
  }

  stop(): void {
    this.running = false;
    const { video } = this.options;
    if (this.frameRequest?.video === true) video.cancelVideoFrameCallback(this.frameRequest.handle);
    else if (this.frameRequest !== undefined) cancelAnimationFrame(this.frameRequest.handle);
    this.frameRequest = undefined;
    clearInterval(this.hudTimer);
    if (this.fadeRequest !== undefined) cancelAnimationFrame(this.fadeRequest);
    this.fadeRequest = undefined;
    this.unsubscribe?.();
  }

  /** What the stall watchdog reads. */
  get progress(): PumpProgress {
    return {
      lastCameraFrameAt: this.lastCameraFrameAt,
      lastShownAt: this.lastShownAt,
      framesInFlight: this.scheduler.framesInFlight,
      engineMs: this.scheduler.engineMsEstimate,
    };
  }

  /** Whether a still scene has the mirror resting (sending only a slow heartbeat). */
  get resting(): boolean {
    return this.temporal.resting;
  }

  /**
   * Gives up on the frames at the engine (no answer came for too long): shows the picture as
   * recovering and lets the engine checks run; a late answer is not shown.
   */
  abandonEngineCalls(): void {
    this.scheduler.abandonAll(performance.now());
    this.temporal.sendFailed();
    this.options.store.getState().setEngineHealth('recovering');
    this.options.onEngineTrouble();
  }

  /** Sizes the display canvas for a new processing size now, keeping its picture, scaled, until the next frame. */
  resizeDisplay(size: Size): void {
    const { display } = this.options;
    if (display.width === size.width && display.height === size.height) return;
    const old = document.createElement('canvas');
    old.width = display.width;
    old.height = display.height;
    old.getContext('2d')?.drawImage(display, 0, 0);
    display.width = size.width;
    display.height = size.height;
    this.context?.drawImage(old, 0, 0, size.width, size.height);
    // The picture kept for the crossfade has the old size: the fade ends here, the next frame is whole.
    this.crossfade.cancel();
    this.latest = undefined;
  }

  private requestNextFrame(): void {
    const { video } = this.options;
    // requestVideoFrameCallback fires once per new camera frame; requestAnimationFrame once per screen
    // refresh, so with it a frame is only new if the video's time moved.
    if ('requestVideoFrameCallback' in video) {
      this.frameRequest = {
        video: true,
        handle: video.requestVideoFrameCallback((_now, metadata) =>
          this.onVideoFrame(metadata.captureTime ?? metadata.presentationTime),
        ),
      };
    } else {
      this.frameRequest = { video: false, handle: requestAnimationFrame(() => this.onVideoFrame(null)) };
    }
  }

  /** A new camera frame, taken at `capturedAt` if the browser says (else: a screen refresh, maybe a new frame). */
  private onVideoFrame(capturedAt: number | null): void {
    if (!this.running) return;
    this.requestNextFrame();
    const { video } = this.options;
    const now = performance.now();
    if (capturedAt === null) {
      if (video.currentTime === this.lastVideoTime) return;
      this.lastVideoTime = video.currentTime;
    }
    this.lastCameraFrameAt = now;
    this.latestCameraFrame++;
    // A capture time in the future would be a clock mix-up: never let latency start after now.
    this.latestCameraFrameAt = Math.min(capturedAt ?? now, now);
    this.scheduler.noteCameraFrame(now);
    this.offerFrame();
  }

  /**
   * Called when an answer comes: if a camera frame arrived that was not sent (the engine was full, or
   * the scheduler held it back for a newer one), offer it now rather than wait for the next camera
   * frame, which could leave the engine idle for most of a camera period.
   */
  private offerWaitingFrame(): void {
    if (this.running && this.latestCameraFrame !== this.lastCapturedCameraFrame) this.offerFrame();
  }

  private offerFrame(): void {
    const { store, video, api } = this.options;
    const { settings, currentModelId, closed } = store.getState();
    if (settings === null || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    if (!this.painted) this.showCamera(settings.processingSize, settings.mirror);
    // Nothing to paint with yet, or closed (opening hours: the engine rests): no frame at all.
    if (currentModelId === null || closed !== null) return;

    const now = performance.now();
    // A frame the engine has no room for is dropped (and counted) without being captured.
    if (!this.scheduler.hasRoom(now)) {
      this.scheduler.offer(now, this.latestCameraFrameAt);
      return;
    }
    const size = settings.processingSize;
    let image: ImageData | null;
    try {
      image = this.capture.capture(video, size, settings.mirror);
    } catch (error) {
      this.options.store.getState().setEngineProblem(`Could not read the camera picture: ${String(error)}`);
      return;
    }
    if (image === null) return;
    this.lastCapturedCameraFrame = this.latestCameraFrame;
    const frame = { data: image.data, width: size.width, height: size.height, channels: 4 } as const;
    const sent = this.temporal.shouldSend(lumaSignature(frame), { modelId: currentModelId, settings }, now);
    const motionAt = this.temporal.motionAt;
    if (motionAt !== undefined) store.getState().noteMotion(motionAt);
    if (sent === null) return; // Nothing new in the picture: the painting shown stays.

    const ticket = this.scheduler.offer(now, this.latestCameraFrameAt);
    if (ticket === null) return;
    // The frame's pixels move to the engine; split view needs its own copy of the original.
    const original = settings.splitView
      ? new ImageData(new Uint8ClampedArray(image.data), size.width, size.height)
      : null;
    void api
      .stylize(frame, { strength: settings.strength, preserveColors: settings.preserveColors })
      .then((result) => this.onResult(ticket, sent, currentModelId, size, original, result));
  }

  private onResult(
    ticket: FrameTicket,
    sent: SentFrame,
    modelId: string,
    size: Size,
    original: ImageData | null,
    result: Result<StylizeResult, EngineError>,
  ): void {
    if (!this.running) return;
    if (!result.ok) {
      this.failed(ticket, result.error);
      return;
    }
    const { frame, timings } = result.value;
    if (!this.scheduler.succeeded(ticket, performance.now(), timings.totalMs)) return;
    const settings = this.options.store.getState().settings;
    // A result at the processing size before a change: the next frame comes at the new one.
    if (
      settings === null ||
      settings.processingSize.width !== size.width ||
      settings.processingSize.height !== size.height
    ) {
      return;
    }
    if (frame.width !== size.width || frame.height !== size.height) {
      this.options.store
        .getState()
        .setEngineProblem(
          `The engine answered a ${size.width}x${size.height} frame with ${frame.width}x${frame.height}.`,
        );
      return;
    }
    let pixels: Uint8ClampedArray<ArrayBuffer>;
    try {
      pixels = toRgba(this.temporal.steady(frame, sent, settings.stabilize));
    } catch (error) {
      this.options.store.getState().setEngineProblem(error instanceof Error ? error.message : String(error));
      return;
    }
    this.draw(
      new ImageData(pixels, size.width, size.height),
      settings.splitView ? original : null,
      modelId,
      settings.cycle.crossfadeMs,
    );
    this.lastShownAt = performance.now();
    this.stats.recordDisplayed(ticket.capturedAt, this.lastShownAt, timings.totalMs);
    this.options.store.getState().setEngineProblem(null);
    this.options.store.getState().setEngineHealth('ok');
    this.publish(false);
    this.offerWaitingFrame();
  }

  /** The camera's picture, unpainted, at the processing size (cropped and flipped like the frames sent). */
  private showCamera(size: Size, mirror: boolean): void {
    let image: ImageData | null = null;
    try {
      image = this.cameraView.capture(this.options.video, size, mirror);
    } catch {
      return; // The frame path below reports an unreadable camera.
    }
    if (image === null || this.context === null) return;
    const { display } = this.options;
    if (display.width !== size.width) display.width = size.width;
    if (display.height !== size.height) display.height = size.height;
    this.context.putImageData(image, 0, 0);
  }

  /**
   * Shows a painted frame. The first frame of a new style starts a crossfade from the picture shown
   * (the old style's last frame, or the blend under way), laid over the new style's live frames and
   * redrawn every screen refresh until it has faded, also when no new frame comes (a resting mirror).
   */
  private draw(stylized: ImageData, original: ImageData | null, modelId: string, crossfadeMs: number): void {
    const ctx = this.context;
    if (ctx === null) return;
    const { display } = this.options;
    const now = performance.now();
    if (this.painted && this.paintedModelId !== modelId && crossfadeMs > 0) {
      this.crossfade.begin(display, now, crossfadeMs);
    }
    this.painted = true;
    this.paintedModelId = modelId;
    if (display.width !== stylized.width) display.width = stylized.width;
    if (display.height !== stylized.height) display.height = stylized.height;
    this.latest = { stylized, original };
    this.compose(now);
  }

  /** Draws the newest painted picture, the crossfade's old picture over it, and split view's camera half. */
  private compose(now: number): void {
    const ctx = this.context;
    const latest = this.latest;
    if (ctx === null || latest === undefined) return;
    ctx.putImageData(latest.stylized, 0, 0);
    this.crossfade.drawOver(ctx, now);
    const { original } = latest;
    if (original !== null)
      ctx.putImageData(original, 0, 0, 0, 0, Math.floor(original.width / 2), original.height);
    if (this.crossfade.active(now) && this.fadeRequest === undefined) {
      this.fadeRequest = requestAnimationFrame(() => {
        this.fadeRequest = undefined;
        if (this.running) this.compose(performance.now());
      });
    }
  }

  private failed(ticket: FrameTicket, error: EngineError): void {
    this.scheduler.failed(ticket, performance.now());
    this.temporal.sendFailed();
    const state = this.options.store.getState();
    state.setEngineProblem(error.message);
    if (error.code !== undefined && ENGINE_RECOVERY_CODES.has(error.code))
      state.setEngineHealth('recovering');
    this.options.onEngineTrouble();
  }

  /** Publishes the numbers on the window; `toStore` also refreshes the HUD. */
  private publish(toStore: boolean): void {
    const state = this.options.store.getState();
    const stats = this.stats.snapshot(
      performance.now(),
      {
        sent: this.scheduler.sent,
        dropped: this.scheduler.dropped,
        rested: this.temporal.rested,
        resting: this.temporal.resting,
      },
      state.currentModelId,
    );
    publishStats(stats);
    if (toStore) state.setStats(stats);
  }
}
