import { describe, expect, it } from 'vitest';
import { FrameScheduler } from '../../renderer/src/mirror/frame-scheduler.js';

describe('FrameScheduler', () => {
  it('sends a frame when the engine has room and drops (and counts) frames offered while it is full', () => {
    const scheduler = new FrameScheduler({ maxInFlight: 1 });
    const first = scheduler.offer(0);
    expect(first).not.toBeNull();
    expect(scheduler.offer(10)).toBeNull();
    expect(scheduler.offer(20)).toBeNull();
    expect(scheduler.sent).toBe(1);
    expect(scheduler.dropped).toBe(2);

    expect(scheduler.succeeded(first!)).toBe(true);
    // Room again: the next frame offered, not an old one, is the one that goes.
    const next = scheduler.offer(30);
    expect(next?.capturedAt).toBe(30);
    expect(scheduler.sent).toBe(2);
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
    expect(scheduler.succeeded(newer)).toBe(true);
    expect(scheduler.succeeded(older)).toBe(false);
    expect(scheduler.framesInFlight).toBe(0);
  });

  it('settles a ticket once: a second answer for it is not shown', () => {
    const scheduler = new FrameScheduler();
    const ticket = scheduler.offer(0)!;
    expect(scheduler.succeeded(ticket)).toBe(true);
    expect(scheduler.succeeded(ticket)).toBe(false);
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
    const scheduler = new FrameScheduler({ stalledFrameMs: 1000 });
    const lost = scheduler.offer(0)!;
    expect(scheduler.offer(999)).toBeNull();
    const next = scheduler.offer(1000);
    expect(next).not.toBeNull();
    // The late answer for the frame given up on is not shown.
    expect(scheduler.succeeded(lost)).toBe(false);
    expect(scheduler.succeeded(next!)).toBe(true);
  });

  it('refuses a maxInFlight below 1, naming it', () => {
    expect(() => new FrameScheduler({ maxInFlight: 0 })).toThrow(/maxInFlight .* at least 1, got 0/);
  });
});
