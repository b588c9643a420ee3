/**
 * How many frames may be at the engine at once. 1: the engine stylizes one frame while the camera
 * delivers the next, and the picture is always the newest frame the engine could take. 2 keeps the
 * engine busy through the round trip (capture, transfer, drawing), but the second frame waits at the
 * engine while the first is painted, which adds up to one engine time of latency.
 *
 * Measured in browser mode on the 2-core development machine (ort on CPU, 256x192, fake 15 fps
 * camera, other builds running alongside; 15 s after warm-up, 1 and 2 alternating):
 *   1 in flight: 2.4 / 3.9 / 2.8 fps, mean latency 394 / 229 / 365 ms
 *   2 in flight: 3.6 / 5.9 / 3.6 fps, mean latency 563 / 304 / 531 ms
 * and on a quieter run: 1: 5.7-7.2 fps, 108-173 ms; 2: 5.5-7.5 fps, 244-430 ms.
 * 2 buys frames only when the CPU is starved and always costs latency; a mirror that lags your
 * movements feels broken sooner than one that paints fewer frames, so 1 it is. Measured again after
 * the pump learned to send a waiting camera frame as soon as the engine frees up, with onnxruntime's
 * spinning off (`stylemirror bench --pipeline --model udnie --seconds 12`, quiet machine):
 *   1 in flight: 9.2 fps, mean latency 108 ms; 2 in flight: 8.9 fps, 226 ms.
 * On 2 cores the pipeline is CPU-bound: a second frame only makes the browser's work overlap the
 * engine's. Worth measuring again with a GPU engine, where the round trip is a larger share of a frame.
 */
export const MAX_FRAMES_IN_FLIGHT = 1;

/** After a failed frame (engine restarting, socket reconnecting) wait this long before the next one. */
export const RETRY_DELAY_MS = 250;

/**
 * A frame at the engine for longer than this is given up on, so a reply that never comes (a hung
 * engine, a port that died without telling us) cannot freeze the mirror. Model loads queue ahead of
 * frames on the engine and take seconds on a CPU: this is well above that.
 */
export const STALLED_FRAME_MS = 20_000;

/** One frame handed to the engine. */
export interface FrameTicket {
  /** Increases with every frame sent; a result is shown only if nothing newer was shown already. */
  readonly seq: number;
  /** When the frame was taken from the camera (performance.now() milliseconds). */
  readonly capturedAt: number;
}

export interface FrameSchedulerOptions {
  readonly maxInFlight?: number;
  readonly retryDelayMs?: number;
  readonly stalledFrameMs?: number;
}

/**
 * Decides which camera frames go to the engine: latest frame wins, never a queue. A frame offered
 * while `maxInFlight` frames are already at the engine is dropped (and counted), not delayed, so the
 * picture never lags behind the camera by more than the engine's own time.
 *
 * Pure: no timers and no clock of its own; the caller passes `now`.
 */
export class FrameScheduler {
  readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly stalledFrameMs: number;
  private readonly inFlight = new Map<number, FrameTicket>();
  private nextSeq = 1;
  private lastShownSeq = 0;
  private resumeAt = Number.NEGATIVE_INFINITY;
  private sentCount = 0;
  private droppedCount = 0;

  constructor(options: FrameSchedulerOptions = {}) {
    const { maxInFlight = MAX_FRAMES_IN_FLIGHT, retryDelayMs = RETRY_DELAY_MS } = options;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(
        `FrameScheduler maxInFlight must be a whole number of at least 1, got ${maxInFlight}.`,
      );
    }
    this.maxInFlight = maxInFlight;
    this.retryDelayMs = retryDelayMs;
    this.stalledFrameMs = options.stalledFrameMs ?? STALLED_FRAME_MS;
  }

  /** Frames handed to the engine so far. */
  get sent(): number {
    return this.sentCount;
  }

  /** Frames offered but not sent: the engine was full, or resting after a failure. */
  get dropped(): number {
    return this.droppedCount;
  }

  get framesInFlight(): number {
    return this.inFlight.size;
  }

  /** Whether a frame offered at `now` would be sent: lets the caller skip capturing one that would not. */
  hasRoom(now: number): boolean {
    this.releaseStalled(now);
    return this.inFlight.size < this.maxInFlight && now >= this.resumeAt;
  }

  /** Offers the newest camera frame, taken at `capturedAt`: a ticket to send it, or null if it is dropped. */
  offer(capturedAt: number): FrameTicket | null {
    if (!this.hasRoom(capturedAt)) {
      this.droppedCount++;
      return null;
    }
    const ticket: FrameTicket = { seq: this.nextSeq++, capturedAt };
    this.inFlight.set(ticket.seq, ticket);
    this.sentCount++;
    return ticket;
  }

  /**
   * The engine returned a result for `ticket`. Returns whether to show it: false if a newer frame's
   * result was shown already (with two frames in flight, replies may overtake each other), or if the
   * ticket was given up on or already settled.
   */
  succeeded(ticket: FrameTicket): boolean {
    if (!this.inFlight.delete(ticket.seq)) return false;
    if (ticket.seq < this.lastShownSeq) return false;
    this.lastShownSeq = ticket.seq;
    return true;
  }

  /** The engine failed `ticket` at `now`: frees its place and rests briefly before sending again. */
  failed(ticket: FrameTicket, now: number): void {
    if (!this.inFlight.delete(ticket.seq)) return;
    this.resumeAt = now + this.retryDelayMs;
  }

  private releaseStalled(now: number): void {
    for (const [seq, ticket] of this.inFlight) {
      if (now - ticket.capturedAt >= this.stalledFrameMs) this.inFlight.delete(seq);
    }
  }
}
