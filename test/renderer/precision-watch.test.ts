import { describe, expect, it } from 'vitest';
import type { MirrorEngineStatus, Result } from '../../common/contract.js';
import { INT8_CALIBRATING_REASON } from '../../common/engine-types.js';
import { PRECISION_RECHECK_MS, PrecisionWatch } from '../../renderer/src/app/precision-watch.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { engineStatus, fail, flush, ManualTimers, ok } from './fakes.js';

function status(id: string, precision: 'fp32' | 'int8', precisionReason: string): MirrorEngineStatus {
  const base = engineStatus(id);
  return { ...base, backend: { ...base.backend, precision, precisionReason } };
}

const CALIBRATING = status('bundled:matta', 'fp32', INT8_CALIBRATING_REASON);
const INT8 = status('bundled:matta', 'int8', 'auto: fast int8, and int8 is 36.0 dB PSNR');

function setup(answers: Result<MirrorEngineStatus | null>[]) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  let asked = 0;
  const watch = new PrecisionWatch(
    { engineStatus: () => Promise.resolve(answers[Math.min(asked++, answers.length - 1)]!) },
    store,
    timers,
  );
  return { store, timers, watch, asked: () => asked };
}

describe('PrecisionWatch', () => {
  it('asks the engine while it calibrates, and shows the switch to int8 when it comes', async () => {
    const { store, timers, watch, asked } = setup([ok(CALIBRATING), fail('engine busy'), ok(INT8)]);
    watch.start();
    store.getState().setEngine(CALIBRATING);
    for (const expected of [1, 2, 3]) {
      timers.advance(PRECISION_RECHECK_MS);
      await flush();
      expect(asked()).toBe(expected);
    }
    expect(store.getState().engine).toEqual(INT8);
    // Settled: nothing more to ask.
    timers.advance(10 * PRECISION_RECHECK_MS);
    await flush();
    expect(asked()).toBe(3);
  });

  it('asks nothing for a status that is not calibrating, nor after stop', async () => {
    const { store, timers, watch, asked } = setup([ok(INT8)]);
    watch.start();
    store.getState().setEngine(INT8);
    timers.advance(10 * PRECISION_RECHECK_MS);
    await flush();
    expect(asked()).toBe(0);
    store.getState().setEngine(CALIBRATING);
    watch.stop();
    timers.advance(10 * PRECISION_RECHECK_MS);
    await flush();
    expect(asked()).toBe(0);
  });

  it("never puts another model's status over the one running", async () => {
    const other = status('bundled:udnie', 'int8', 'auto: other');
    const { store, timers, watch } = setup([ok(other), ok(INT8)]);
    watch.start();
    store.getState().setEngine(CALIBRATING);
    timers.advance(PRECISION_RECHECK_MS);
    await flush();
    expect(store.getState().engine).toEqual(CALIBRATING);
    timers.advance(PRECISION_RECHECK_MS);
    await flush();
    expect(store.getState().engine).toEqual(INT8);
  });
});
