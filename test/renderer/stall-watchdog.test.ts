import { describe, expect, it } from 'vitest';
import { STALL_MS, StallWatchdog, type PumpProgress } from '../../renderer/src/mirror/stall-watchdog.js';
import type { StalledStage } from '../../renderer/src/store/recovery-slice.js';
import { ManualTimers } from './fakes.js';

/** A watchdog over a scripted pump: the test moves the pump's clock marks and time by hand. */
function watched() {
  const timers = new ManualTimers();
  const pump: { -readonly [K in keyof PumpProgress]: PumpProgress[K] } = {
    lastCameraFrameAt: null,
    lastShownAt: null,
    framesInFlight: 0,
    engineMs: 200,
  };
  const world = { due: true, restarts: [] as StalledStage[], cameraRestarts: 0, abandoned: 0 };
  const watchdog = new StallWatchdog({
    progress: () => pump,
    framesDue: () => world.due,
    restartCamera: () => world.cameraRestarts++,
    abandonEngineCalls: () => world.abandoned++,
    restarted: (stage) => world.restarts.push(stage),
    timers,
    now: () => timers.now,
  });
  /** The pump at work until `ms` from now: camera frames and shown frames every 100 ms. */
  const flowing = (ms: number, shown = true) => {
    for (let t = 0; t < ms; t += 100) {
      timers.advance(100);
      pump.lastCameraFrameAt = timers.now;
      if (shown) pump.lastShownAt = timers.now;
    }
  };
  return { timers, pump, world, watchdog, flowing };
}

describe('StallWatchdog', () => {
  it('leaves a mirror alone while frames are shown', () => {
    const { watchdog, flowing, world } = watched();
    watchdog.start();
    flowing(60_000);
    expect(world.restarts).toEqual([]);
  });

  it('restarts the camera when its frames stop, once per stall period', () => {
    const { watchdog, flowing, world, timers } = watched();
    watchdog.start();
    flowing(2000);
    timers.advance(STALL_MS - 1000);
    expect(world.cameraRestarts).toBe(0);
    timers.advance(1000);
    expect(world.cameraRestarts).toBe(1);
    expect(world.abandoned).toBe(0);
    // Still nothing: the next restart waits another full period.
    timers.advance(STALL_MS - 1000);
    expect(world.cameraRestarts).toBe(1);
    timers.advance(1000);
    expect(world.restarts).toEqual(['camera', 'camera']);
  });

  it('gives up on the engine call when camera frames come but no answer returns', () => {
    const { watchdog, flowing, world, timers, pump } = watched();
    watchdog.start();
    flowing(1000);
    pump.framesInFlight = 2;
    flowing(STALL_MS, false);
    expect(world.restarts).toEqual(['pump']);
    expect(world.abandoned).toBe(1);
    expect(world.cameraRestarts).toBe(0);
    // The engine answers again: no more restarts.
    pump.framesInFlight = 1;
    flowing(30_000);
    expect(world.restarts).toEqual(['pump']);
    expect(timers.pending).toBe(1);
  });

  it('gives a slow engine (seconds per frame) its own pace before calling its call stalled', () => {
    const { watchdog, flowing, world, pump } = watched();
    watchdog.start();
    flowing(1000);
    pump.engineMs = 4000;
    pump.framesInFlight = 1;
    flowing(3 * 4000 - 1000, false);
    expect(world.restarts).toEqual([]);
    flowing(1000, false);
    expect(world.restarts).toEqual(['pump']);
  });

  it('restarts nothing where frames arrive, none is at the engine and none is shown (nothing stuck to restart)', () => {
    const { watchdog, flowing, world } = watched();
    watchdog.start();
    flowing(3 * STALL_MS, false);
    expect(world.restarts).toEqual([]);
  });

  it('does not count time when no frame is due (resting, no camera, engine recovering) as a stall', () => {
    const { watchdog, flowing, world, timers } = watched();
    watchdog.start();
    flowing(1000);
    world.due = false;
    timers.advance(60_000);
    expect(world.restarts).toEqual([]);
    // Due again: a whole period from the next look before anything counts as stalled.
    world.due = true;
    timers.advance(STALL_MS);
    expect(world.restarts).toEqual([]);
    timers.advance(1000);
    expect(world.restarts).toEqual(['camera']);
  });

  it('stops looking when stopped', () => {
    const { watchdog, world, timers } = watched();
    watchdog.start();
    watchdog.stop();
    timers.advance(60_000);
    expect(world.restarts).toEqual([]);
    expect(timers.pending).toBe(0);
  });
});
