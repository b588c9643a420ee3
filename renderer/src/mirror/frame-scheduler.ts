/**
 * How many frames may be at the engine at once. With 1, the engine sits idle through every round trip
 * (drawing the answer, taking the next frame, the transport both ways). With 2, the second frame is
 * sent just in time (see FrameScheduler) so the engine goes straight on to it, and waits there for
 * less than a camera period.
 *
 * Measured in browser mode on the 2-core development machine, with the camera-to-screen latency taken
 * from the camera's own capture time (`stylemirror bench --pipeline`, udnie at 256x192, fake 15 fps
 * camera, 1 and 2 alternating, seven runs each on a noisy machine):
 *   1 in flight: engine busy 90% of the time, 70-89% of the engine's fps shown (mean 84%), 127-157 ms;
 *   2 in flight: engine busy 99-100%,         81-96% (mean 89%),                            150-188 ms.
 * 2 it is: a tenth more frames for about 15 ms more latency. Before the second frame was sent just in
 * time, 2 queued a whole engine time behind the first and lost (8.9 fps at 226 ms against 9.2 at 108,
 * latency then counted from sending).
 */
export const MAX_FRAMES_IN_FLIGHT = 2;

/** After a failed frame (engine restarting, socket reconnecting) wait this long before the next one. */
export const RETRY_DELAY_MS = 250;

/**
 * A frame at the engine for longer than this is given up on, so a reply that never comes (a hung
 * engine, a port that died without telling us) cannot freeze the mirror. Model loads queue ahead of
 * frames on the engine and take seconds on a CPU: this is well above that.
 */
export const STALLED_FRAME_MS = 20_000;

/**
 * Until the first answers are timed, what the round trip adds to the engine's own time (capture,
 * transport both ways, drawing); measured at 5-12 ms in browser mode on the development machine.
 */
export const DEFAULT_OVERHEAD_MS = 10;

/**
 * Slack in the just-in-time rule: a camera frame is held back for a newer one only if the newer one
 * is expected this much before the engine needs it, since camera frames and answers both jitter.
 */
export const JUST_IN_TIME_MARGIN_MS = 8;

/** Weight of the newest sample in the running estimates of the engine's time and the camera's period. */
const SMOOTHING = 0.2;

/**
 * The overhead is the least of this many recent round trips without a wait at the engine: a round
 * trip that waited behind a model load (seconds) must not make the next frames go early.
 */
const OVERHEAD_SAMPLES = 8;

/** One frame handed to the engine. */
export interface FrameTicket {
  /** Increases with every frame sent; a result is shown only if nothing newer was shown already. */
  readonly seq: number;
  /** When the camera took the frame (performance.now() milliseconds): where its latency starts. */
  readonly capturedAt: number;
  /** When it was handed to the engine: where its round trip starts. */
  readonly sentAt: number;
}

interface InFlight {
  readonly ticket: FrameTicket;
  /** Whether the engine had nothing else when it was sent: its round trip is overhead + engine time. */
  readonly intoEmptyPipe: boolean;
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
 * With two in flight it sends the second frame just in time: while the engine works on one frame,
 * a camera frame is held back (dropped) if a newer one is expected before the engine would need it,
 * so the engine never waits for the round trip, and the frame that waits for the engine waits at most
 * about one camera period. For that it keeps running estimates of the engine's time per frame, of what
 * the round trip adds, and of the camera's period.
 *
 * Pure: no timers and no clock of its own; the caller passes `now`.
 */
export class FrameScheduler {
  readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly stalledFrameMs: number;
  /** In sending order (a Map keeps insertion order). */
  private readonly inFlight = new Map<number, InFlight>();
  private nextSeq = 1;
  private lastShownSeq = 0;
  private resumeAt = Number.NEGATIVE_INFINITY;
  private sentCount = 0;
  private droppedCount = 0;
  private engineMs: number | undefined;
  /** Round trip minus engine time, of recent frames sent while the engine had nothing else. */
  private readonly overheadSamples: number[] = [];
  private cameraPeriodMs: number | undefined;
  private lastCameraFrameAt: number | undefined;
  private lastAnswerAt = Number.NEGATIVE_INFINITY;

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

  /** The engine's recent time per frame (smoothed), or null before its first answer. */
  get engineMsEstimate(): number | null {
    return this.engineMs ?? null;
  }

  get framesInFlight(): number {
    return this.inFlight.size;
  }

  /** A new camera frame arrived at `at`: keeps the estimate of the camera's period. */
  noteCameraFrame(at: number): void {
    const last = this.lastCameraFrameAt;
    this.lastCameraFrameAt = at;
    if (last === undefined) return;
    const period = at - last;
    // A pause (hidden tab, camera switch) is not the camera's pace.
    if (period <= 0 || period > 1000) return;
    this.cameraPeriodMs = smooth(this.cameraPeriodMs, period);
  }

  /** Whether a frame offered at `now` would be sent: lets the caller skip capturing one that would not. */
  hasRoom(now: number): boolean {
    this.releaseStalled(now);
    if (this.inFlight.size >= this.maxInFlight || now < this.resumeAt) return false;
    return this.inFlight.size === 0 || !this.newerFrameComesInTime(now);
  }

  /**
   * Offers the newest camera frame at `now` (taken by the camera at `capturedAt`, default `now`): a
   * ticket to send it, or null if it is dropped.
   */
  offer(now: number, capturedAt = now): FrameTicket | null {
    if (!this.hasRoom(now)) {
      this.droppedCount++;
      return null;
    }
    const ticket: FrameTicket = { seq: this.nextSeq++, capturedAt, sentAt: now };
    this.inFlight.set(ticket.seq, { ticket, intoEmptyPipe: this.inFlight.size === 0 });
    this.sentCount++;
    return ticket;
  }

  /**
   * The engine returned a result for `ticket` at `now`, after `engineMs` of its own work. Returns
   * whether to show it: false if a newer frame's result was shown already (replies overtaking each
   * other), or if the ticket was given up on or already settled.
   */
  succeeded(ticket: FrameTicket, now: number, engineMs: number): boolean {
    const entry = this.inFlight.get(ticket.seq);
    if (entry === undefined) return false;
    this.inFlight.delete(ticket.seq);
    this.lastAnswerAt = now;
    if (Number.isFinite(engineMs) && engineMs >= 0) {
      this.engineMs = smooth(this.engineMs, engineMs);
      if (entry.intoEmptyPipe) {
        this.overheadSamples.push(Math.max(0, now - ticket.sentAt - engineMs));
        if (this.overheadSamples.length > OVERHEAD_SAMPLES) this.overheadSamples.shift();
      }
    }
    if (ticket.seq < this.lastShownSeq) return false;
    this.lastShownSeq = ticket.seq;
    return true;
  }

  /** The engine failed `ticket` at `now`: frees its place and rests briefly before sending again. */
  failed(ticket: FrameTicket, now: number): void {
    if (!this.inFlight.delete(ticket.seq)) return;
    this.lastAnswerAt = now;
    this.resumeAt = now + this.retryDelayMs;
  }

  /**
   * Gives up on every frame at the engine (the stall watchdog saw no answer for too long): their
   * places are free, a late answer is not shown, and sending rests briefly as after a failure.
   */
  abandonAll(now: number): void {
    if (this.inFlight.size === 0) return;
    this.inFlight.clear();
    this.resumeAt = now + this.retryDelayMs;
  }

  /**
   * With frames at the engine: whether the camera's next frame is expected early enough to reach the
   * engine before it finishes them, so sending the current one would only make it wait there.
   */
  private newerFrameComesInTime(now: number): boolean {
    const engineMs = this.engineMs;
    const period = this.cameraPeriodMs;
    const lastCameraFrameAt = this.lastCameraFrameAt;
    if (engineMs === undefined || period === undefined || lastCameraFrameAt === undefined) return false;
    const overheadMs =
      this.overheadSamples.length === 0 ? DEFAULT_OVERHEAD_MS : Math.min(...this.overheadSamples);
    // When the last answer comes back: each frame starts when it arrives or when the one before it
    // is done, whichever is later (an answer comes back as the next frame starts).
    let answerAt = this.lastAnswerAt;
    for (const { ticket } of this.inFlight.values()) {
      answerAt = Math.max(answerAt, ticket.sentAt + overheadMs) + engineMs;
    }
    // The latest a frame can be sent and still arrive as the engine frees up.
    const sendBy = answerAt - overheadMs;
    const nextCameraFrameAt = lastCameraFrameAt + period;
    return nextCameraFrameAt > now && nextCameraFrameAt + JUST_IN_TIME_MARGIN_MS <= sendBy;
  }

  private releaseStalled(now: number): void {
    for (const [seq, { ticket }] of this.inFlight) {
      if (now - ticket.sentAt >= this.stalledFrameMs) this.inFlight.delete(seq);
    }
  }
}

function smooth(current: number | undefined, sample: number): number {
  return current === undefined ? sample : current + SMOOTHING * (sample - current);
}
