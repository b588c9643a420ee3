import { describe, expect, it } from 'vitest';
import { EMPTY_STATS, FrameStats } from '../../renderer/src/mirror/frame-stats.js';

const COUNTS = { sent: 20, dropped: 3, rested: 0, resting: false };

describe('FrameStats', () => {
  it('starts at zero', () => {
    expect(new FrameStats().snapshot(5000, { sent: 0, dropped: 0, rested: 0, resting: false }, null)).toEqual(
      EMPTY_STATS,
    );
  });

  it('counts the frames displayed in the last second as the frame rate', () => {
    const stats = new FrameStats();
    for (let t = 0; t < 2000; t += 100) stats.recordDisplayed(t - 50, t, 30);
    // One every 100 ms: (900, 1900] holds the ten at 1000..1900, (1500, 2500] the four at 1600..1900.
    expect(stats.snapshot(1900, COUNTS, 'bundled:wave').displayedFps).toBe(10);
    expect(stats.snapshot(2500, COUNTS, 'bundled:wave').displayedFps).toBe(4);
    expect(stats.snapshot(5000, COUNTS, 'bundled:wave').displayedFps).toBe(0);
  });

  it('reports the last frame’s engine time and latency, and the mean latency over the last second', () => {
    const stats = new FrameStats();
    stats.recordDisplayed(0, 100, 40); // latency 100, too old by t = 1500
    stats.recordDisplayed(1000, 1200, 60); // 200
    stats.recordDisplayed(1300, 1400, 70); // 100
    const snapshot = stats.snapshot(
      1500,
      { sent: 3, dropped: 7, rested: 12, resting: true },
      'bundled:udnie',
    );
    expect(snapshot).toEqual({
      displayedFrames: 3,
      lastDisplayedAt: 1400,
      displayedFps: 2,
      engineMs: 70,
      latencyMs: 100,
      meanLatencyMs: 150,
      latencyTotalMs: 400,
      engineTotalMs: 170,
      sent: 3,
      dropped: 7,
      rested: 12,
      resting: true,
      currentModelId: 'bundled:udnie',
    });
  });
});
