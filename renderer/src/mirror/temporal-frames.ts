import type { Frame } from '../../../common/frame.js';
import type { Settings } from '../../../common/settings-schema.js';
import { changedBeyondNoise, sameLayout, type LumaSignature } from '../../../common/temporal/frame-change.js';
import { FrameStabilizer } from '../../../common/temporal/stabilizer.js';

/**
 * While resting, one frame in this long still goes to the engine, so light drifting too slowly to
 * count as a change (a cloud, a lamp) is still painted, if late. Drift that adds up to a change is
 * sent at once anyway: frames are compared with the last one sent, not the last one seen. Each
 * heartbeat costs a whole engine frame (about 150 ms of CPU on the 2-core development machine).
 */
export const HEARTBEAT_MS = 3000;

/** What a frame is painted with: frames painted differently must not be blended or compared. */
export interface PaintContext {
  readonly modelId: string;
  readonly settings: Settings;
}

/** What the pump keeps with a frame it sent, to steady its result when it comes back. */
export interface SentFrame {
  readonly signature: LumaSignature;
  readonly paintKey: string;
}

export interface TemporalFramesOptions {
  readonly heartbeatMs?: number;
}

/**
 * The mirror's two uses of time, kept together because both compare camera frames by their luma
 * signature (computed once per frame): resting (frames that show nothing new are not sent) and
 * steadying (results are blended into the picture shown where the camera saw no change).
 *
 * Why in the page and not in the engine: the page is where a stream lives. It knows when the model,
 * the size or the mirroring changed (the engine sees a stream of unrelated requests, and in browser
 * mode several tabs share one engine); it already has each frame's signature for resting; and the
 * blend (about a millisecond a frame) runs on the page's core while the engine's core paints the next
 * frame, instead of lengthening every engine frame. The CLI and the benches call the same stabiliser.
 *
 * Pure: no DOM, no clock of its own (the caller passes `now`), so tests drive it with plain frames.
 */
export class TemporalFrames {
  private readonly heartbeatMs: number;
  private readonly stabilizer = new FrameStabilizer();
  /** The signature of the last frame sent for painting, and what it was painted with. */
  private lastSent: { signature: LumaSignature; paintKey: string; at: number } | undefined;
  /** What the picture the stabiliser holds was painted with. */
  private steadiedKey: string | undefined;
  private restingNow = false;
  private restedCount = 0;
  private lastMotionAt: number | undefined;

  constructor(options: TemporalFramesOptions = {}) {
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  }

  /** Whether the mirror is resting: the camera has shown nothing new since the last frame painted. */
  get resting(): boolean {
    return this.restingNow;
  }

  /**
   * When a frame last showed motion: a change beyond camera noise from the last frame sent (a new
   * style or setting is no motion). Undefined until one has. Attract mode waits for stillness by it.
   */
  get motionAt(): number | undefined {
    return this.lastMotionAt;
  }

  /** Camera frames not sent because they showed nothing new. */
  get rested(): number {
    return this.restedCount;
  }

  /**
   * Whether the engine should paint a frame captured at `now`: yes when resting is off, when it
   * differs from the last frame sent beyond camera noise, when it would be painted differently (a
   * new style, size or setting), or when the heartbeat is due. A yes counts the frame as sent.
   */
  shouldSend(signature: LumaSignature, paint: PaintContext, now: number): SentFrame | null {
    const paintKey = paintKeyOf(paint);
    const last = this.lastSent;
    // A frame of another size is a new picture, not motion: it cannot be compared.
    const comparable = last !== undefined && sameLayout(last.signature, signature);
    const moved = comparable && changedBeyondNoise(last.signature, signature);
    if (moved) this.lastMotionAt = now;
    const changed =
      !paint.settings.restWhenStill ||
      last === undefined ||
      last.paintKey !== paintKey ||
      !comparable ||
      moved;
    if (!changed && now - last.at < this.heartbeatMs) {
      this.restingNow = true;
      this.restedCount++;
      return null;
    }
    // A heartbeat keeps the rest: the scene is as still as it was.
    if (changed) this.restingNow = false;
    this.lastSent = { signature, paintKey, at: now };
    return { signature, paintKey };
  }

  /** A sent frame was not painted (engine error, lost connection): the next frame must go. */
  sendFailed(): void {
    this.lastSent = undefined;
    this.restingNow = false;
  }

  /**
   * The picture to show for the engine's `painted` result of `sent`: steadied against the pictures
   * shown before (in place) when `stabilize` is on, else as painted. A result painted with other
   * settings than the picture held starts the stabiliser afresh.
   */
  steady(painted: Frame, sent: SentFrame, stabilize: boolean): Frame {
    if (!stabilize || sent.paintKey !== this.steadiedKey) {
      this.stabilizer.reset();
      this.steadiedKey = stabilize ? sent.paintKey : undefined;
    }
    return stabilize ? this.stabilizer.stabilize(sent.signature, painted) : painted;
  }
}

/** Everything that changes how a camera frame is painted, as one comparable string. */
function paintKeyOf({ modelId, settings }: PaintContext): string {
  const { processingSize, strength, preserveColors, mirror } = settings;
  return JSON.stringify([
    modelId,
    processingSize.width,
    processingSize.height,
    strength,
    preserveColors,
    mirror,
  ]);
}
