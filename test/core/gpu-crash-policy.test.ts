import { describe, expect, it } from 'vitest';
import {
  accelerationOffIn,
  DISABLE_GPU_FLAG,
  GPU_CRASH_LIMIT,
  GPU_CRASH_WINDOW_MS,
  GpuCrashPolicy,
  relaunchOptions,
} from '../../main/core/gpu-crash-policy.js';

const GPU_CRASH = { type: 'GPU', reason: 'crashed' };

/** A policy on a clock the test moves by hand. */
function policyAt(accelerationOff = false): { policy: GpuCrashPolicy; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { policy: new GpuCrashPolicy({ accelerationOff, now: () => clock.t }), clock };
}

describe('GpuCrashPolicy', () => {
  it(`relaunches without the GPU at the ${GPU_CRASH_LIMIT}rd GPU crash within 5 minutes, and only then`, () => {
    const { policy, clock } = policyAt();
    expect(policy.processGone(GPU_CRASH)).toEqual({ action: 'none' });
    clock.t += 60_000;
    expect(policy.processGone({ type: 'GPU', reason: 'oom' })).toEqual({ action: 'none' });
    clock.t += 60_000;
    expect(policy.processGone({ type: 'GPU', reason: 'launch-failed' })).toEqual({
      action: 'relaunch-without-gpu',
      crashes: 3,
    });
  });

  it('says so once: crashes after the decision (while quitting) decide nothing more', () => {
    const { policy } = policyAt();
    const decisions = Array.from({ length: 6 }, () => policy.processGone(GPU_CRASH).action);
    expect(decisions).toEqual(['none', 'none', 'relaunch-without-gpu', 'none', 'none', 'none']);
  });

  it('forgets crashes older than the window', () => {
    const { policy, clock } = policyAt();
    policy.processGone(GPU_CRASH);
    clock.t += 60_000;
    policy.processGone(GPU_CRASH);
    // The first crash leaves the window exactly now.
    clock.t += GPU_CRASH_WINDOW_MS - 60_000;
    expect(policy.processGone(GPU_CRASH).action).toBe('none');
    clock.t += 1;
    expect(policy.processGone(GPU_CRASH).action).toBe('relaunch-without-gpu');
  });

  it('counts only the GPU process, and not its clean exits', () => {
    const { policy } = policyAt();
    for (const type of ['Utility', 'Zygote', 'Pepper Plugin', 'Unknown']) {
      for (let i = 0; i < 5; i++) expect(policy.processGone({ type, reason: 'crashed' }).action).toBe('none');
    }
    for (let i = 0; i < 5; i++) {
      expect(policy.processGone({ type: 'GPU', reason: 'clean-exit' }).action).toBe('none');
    }
    policy.processGone(GPU_CRASH);
    policy.processGone(GPU_CRASH);
    expect(policy.processGone(GPU_CRASH).action).toBe('relaunch-without-gpu');
  });

  it('never relaunches a run that already has acceleration off: no loop', () => {
    const { policy } = policyAt(true);
    for (let i = 0; i < 10; i++) expect(policy.processGone(GPU_CRASH).action).toBe('none');
  });
});

describe('the relaunch flag', () => {
  it("adds the flag to this run's arguments, once", () => {
    const argv = ['/opt/electron', '.', '--models', '/art'];
    expect(relaunchOptions(argv, {})).toEqual({ args: ['.', '--models', '/art', DISABLE_GPU_FLAG] });
    expect(relaunchOptions(['/opt/electron', '.', DISABLE_GPU_FLAG], {})).toEqual({
      args: ['.', DISABLE_GPU_FLAG],
    });
  });

  it('relaunches an AppImage through the AppImage file, not its vanishing mount', () => {
    const argv = ['/tmp/.mount_StyleX/style-mirror'];
    expect(relaunchOptions(argv, { APPIMAGE: '/home/a/Style Mirror.AppImage' })).toEqual({
      args: [DISABLE_GPU_FLAG],
      execPath: '/home/a/Style Mirror.AppImage',
    });
  });

  it('is read from the arguments', () => {
    expect(accelerationOffIn(['.', DISABLE_GPU_FLAG])).toBe(true);
    expect(accelerationOffIn(['.', '--disable-gpu'])).toBe(false);
  });
});
