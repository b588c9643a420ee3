import { describe, expect, it } from 'vitest';
import {
  FrameScheduler,
  JUST_IN_TIME_MARGIN_MS,
  type FrameTicket,
} from '../../renderer/src/mirror/frame-scheduler.js';

describe('FrameScheduler', () => {
  it('sends a frame when the engine has room and drops (and counts) frames offered while it is full', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 1 });
    const first = scheduler.offer(0);
    expect(first).not.toBeNull();
    expect(scheduler.offer(10)).toBeNull();
    expect(scheduler.offer(20)).toBeNull();
    expect(scheduler.sent).toBe(1);
    expect(scheduler.dropped).toBe(2);

    expect(scheduler.succeeded(first!, 0, 50)).toBe(true);
    // Room again: the next frame offered, not an old one, is the one that goes.
    const next = scheduler.offer(30);
    expect(next?.capturedAt).toBe(30);
    expect(scheduler.sent).toBe(2);
  });

  it('abandons the frames at the engine: room again after the retry rest, and their late answers are not shown', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 2, retryDelayMs: 250 });
    const late = scheduler.offer(0)!;
    scheduler.offer(1);
    scheduler.abandonAll(5000);
    expect(scheduler.framesInFlight).toBe(0);
    expect(scheduler.hasRoom(5100)).toBe(false);
    expect(scheduler.hasRoom(5250)).toBe(true);
    expect(scheduler.succeeded(late, 5300, 40)).toBe(false);
  });

  it('allows maxInFlight frames at once', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 2 });
    expect(scheduler.offer(0)).not.toBeNull();
    expect(scheduler.offer(1)).not.toBeNull();
    expect(scheduler.offer(2)).toBeNull();
    expect(scheduler.framesInFlight).toBe(2);
  });

  it('never shows a result older than one already shown (replies overtaking each other)', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 2 });
    const older = scheduler.offer(0)!;
    const newer = scheduler.offer(1)!;
    expect(scheduler.succeeded(newer, 0, 50)).toBe(true);
    expect(scheduler.succeeded(older, 0, 50)).toBe(false);
    expect(scheduler.framesInFlight).toBe(0);
  });

  it('settles a ticket once: a second answer for it is not shown', () => {
    const scheduler = new FrameScheduler();
    const ticket = scheduler.offer(0)!;
    expect(scheduler.succeeded(ticket, 0, 50)).toBe(true);
    expect(scheduler.succeeded(ticket, 0, 50)).toBe(false);
  });

  it('rests for retryDelayMs after a failure, then sends again', () => {
    const scheduler = new FrameScheduler({ retryDelayMs: 250 });
    scheduler.failed(scheduler.offer(0)!, 100);
    expect(scheduler.framesInFlight).toBe(0);
    expect(scheduler.offer(200)).toBeNull();
    expect(scheduler.dropped).toBe(1);
    expect(scheduler.offer(350)).not.toBeNull();
  });

  it('gives up on a frame the engine never answers, so the mirror cannot freeze', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 1, stalledFrameMs: 1000 });
    const lost = scheduler.offer(0)!;
    expect(scheduler.offer(999)).toBeNull();
    const next = scheduler.offer(1000);
    expect(next).not.toBeNull();
    // The late answer for the frame given up on is not shown.
    expect(scheduler.succeeded(lost, 0, 50)).toBe(false);
    expect(scheduler.succeeded(next!, 0, 50)).toBe(true);
  });

  it('refuses a maxInFlight below 1, naming it', () => {
    expect(() => new FrameScheduler({ maxInFlight: 0 })).toThrow(/maxInFlight .* at least 1, got 0/);
  });

  it('holds a camera frame back while a newer one will still reach the engine in time', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 2 });
    // Learn: a camera frame every 50 ms; an engine of 190 ms, and a round trip that adds 10.
    for (let at = -50; at <= 200; at += 50) scheduler.noteCameraFrame(at);
    const first = scheduler.offer(-50)!;
    expect(scheduler.succeeded(first, 150, 190)).toBe(true);

    // Answer expected at 200 + 10 + 190 = 400: a frame sent by 390 keeps the engine busy.
    expect(scheduler.offer(200)).not.toBeNull();
    scheduler.noteCameraFrame(250);
    expect(scheduler.offer(250)).toBeNull(); // the next, at 300, is in time
    scheduler.noteCameraFrame(300);
    expect(scheduler.offer(300)).toBeNull(); // 350 is
    scheduler.noteCameraFrame(350);
    // 400 (plus the margin) would be late: this one goes now, and waits at the engine for under 50 ms.
    expect(scheduler.offer(350)).not.toBeNull();
    expect(scheduler.framesInFlight).toBe(2);
    expect(scheduler.dropped).toBe(2);
  });

  const cases = [
    { name: 'a 15 fps camera, a slower engine', cameraPeriodMs: 1000 / 15, engineMs: 90 },
    { name: 'a 30 fps camera, a much slower engine', cameraPeriodMs: 1000 / 30, engineMs: 90 },
    { name: 'a 15 fps camera, a faster engine', cameraPeriodMs: 1000 / 15, engineMs: 40 },
  ];
  for (const { name, cameraPeriodMs, engineMs } of cases) {
    it(`with two in flight keeps the engine busy without a queue (${name})`, () => {
      const one = simulatePump({ maxInFlight: 1, cameraPeriodMs, engineMs, transportMs: 5 });
      const two = simulatePump({ maxInFlight: 2, cameraPeriodMs, engineMs, transportMs: 5 });
      const cameraFps = 1000 / cameraPeriodMs;
      if (engineMs > cameraPeriodMs) {
        // One in flight leaves the engine idle for every round trip; two do not.
        expect(one.engineBusy).toBeLessThan(0.93);
        expect(two.engineBusy).toBeGreaterThan(0.97);
        expect(two.shownFps).toBeGreaterThan(one.shownFps * 1.05);
      } else {
        // A fast engine shows every camera frame either way.
        expect(two.shownFps).toBeCloseTo(cameraFps, 0);
      }
      // Never a queue: at most two at the engine, and the waiting one waits less than a camera period.
      expect(two.maxInFlight).toBeLessThanOrEqual(2);
      expect(two.maxWaitMs).toBeLessThanOrEqual(cameraPeriodMs + JUST_IN_TIME_MARGIN_MS);
      // Latency from the camera: the engine's time, the round trip and at most a camera period more.
      expect(two.meanLatencyMs).toBeLessThan(engineMs + 10 + cameraPeriodMs);
    });
  }

  it('is not thrown off by a frame that waited behind a model load', () => {
    const cameraPeriodMs = 1000 / 15;
    const run = simulatePump({
      maxInFlight: 2,
      cameraPeriodMs,
      engineMs: 90,
      transportMs: 5,
      modelLoadAt: 3000,
    });
    expect(run.engineBusy).toBeGreaterThan(0.97);
    expect(run.maxWaitMs).toBeLessThanOrEqual(cameraPeriodMs + JUST_IN_TIME_MARGIN_MS);
  });
});

/**
 * The pump's use of the scheduler against a simulated engine: a camera frame every `cameraPeriodMs`,
 * `transportMs` each way, an engine that takes `engineMs` per frame, one at a time, in order. Like the
 * pump, a camera frame that came while the engine was full is offered again when an answer comes.
 */
function simulatePump(options: {
  maxInFlight: number;
  cameraPeriodMs: number;
  engineMs: number;
  transportMs: number;
  /** The engine loads a model (3 s, not part of any frame's engine time) when the first frame after this comes. */
  modelLoadAt?: number;
}) {
  const { maxInFlight, cameraPeriodMs, engineMs, transportMs, modelLoadAt } = options;
  const durationMs = 20_000;
  const modelLoadMs = 3000;
  // Counted from a second after the start, or after the model load.
  const warmupMs = modelLoadAt === undefined ? 1000 : modelLoadAt + modelLoadMs + 1000;
  let modelLoadPending = modelLoadAt !== undefined;
  const scheduler = new FrameScheduler({ maxInFlight });
  type Event =
    { at: number; kind: 'camera' } | { at: number; kind: 'arrive' | 'answer'; ticket: FrameTicket };
  const events: Event[] = [];
  const schedule = (event: Event) => {
    events.push(event);
    events.sort((a, b) => a.at - b.at);
  };
  for (let at = 0; at < durationMs; at += cameraPeriodMs) schedule({ at, kind: 'camera' });

  let engineFreeAt = 0;
  let busyMs = 0;
  let maxWaitMs = 0;
  let shown = 0;
  let latencyTotal = 0;
  let most = 0;
  let latestCameraAt = -1;
  let lastSentCameraAt = -1;
  const offer = (now: number) => {
    const ticket = scheduler.offer(now, latestCameraAt);
    if (ticket === null) return;
    lastSentCameraAt = latestCameraAt;
    most = Math.max(most, scheduler.framesInFlight);
    schedule({ at: now + transportMs, kind: 'arrive', ticket });
  };
  while (events.length > 0) {
    const event = events.shift()!;
    const counted = event.at >= warmupMs && event.at < durationMs;
    if (event.kind === 'camera') {
      latestCameraAt = event.at;
      scheduler.noteCameraFrame(event.at);
      offer(event.at);
    } else if (event.kind === 'arrive') {
      if (modelLoadPending && event.at >= modelLoadAt!) {
        modelLoadPending = false;
        engineFreeAt = Math.max(event.at, engineFreeAt) + modelLoadMs;
      }
      const start = Math.max(event.at, engineFreeAt);
      engineFreeAt = start + engineMs;
      if (counted) {
        busyMs += engineMs;
        maxWaitMs = Math.max(maxWaitMs, start - event.at);
      }
      schedule({ at: engineFreeAt + transportMs, kind: 'answer', ticket: event.ticket });
    } else {
      if (scheduler.succeeded(event.ticket, event.at, engineMs) && counted) {
        shown++;
        latencyTotal += event.at - event.ticket.capturedAt;
      }
      if (latestCameraAt !== lastSentCameraAt) offer(event.at);
    }
  }
  const measuredMs = durationMs - warmupMs;
  return {
    engineBusy: busyMs / measuredMs,
    shownFps: (shown * 1000) / measuredMs,
    meanLatencyMs: latencyTotal / shown,
    maxWaitMs,
    maxInFlight: most,
  };
}
