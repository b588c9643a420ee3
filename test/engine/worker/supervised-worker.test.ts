/**
 * The engine supervisor over real worker threads running the real (built) engine worker, made to
 * crash and to hang: what browser mode and the CLI run. Time is the test's (manual timers), so a
 * deadline passes exactly when the test says; the workers, models and frames are real.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineLauncher, RunningEngine } from '../../../main/engine/engine-launcher.js';
import { DEFAULT_DEADLINES_MS, EngineSupervisor } from '../../../main/engine/engine-supervisor.js';
import { FIRST_RESTART_DELAY_MS } from '../../../main/engine/restart-policy.js';
import { workerThreadLauncher } from '../../../main/engine/worker/worker-thread-launcher.js';
import { ManualTimers } from '../../support/manual-timers.js';
import { REPO_ROOT, SHARED_DIR } from '../../support/testvectors.js';

// A worker thread cannot run TypeScript: the worker is the built one; the supervisor is the source.
const faultyWorker = new URL('../../support/faulty-engine-worker.mjs', import.meta.url);
const udnie = path.join(SHARED_DIR, 'models/ml5/udnie');

function smallFrame() {
  const data = new Uint8Array(32 * 24 * 4).map((_, i) => (i * 7) % 256);
  return { data, width: 32, height: 24, channels: 4 as const };
}

/** The faulty worker's launcher, keeping each started worker, what it said, and whether it was killed. */
function recordingLauncher() {
  const inner = workerThreadLauncher(faultyWorker);
  const workers: { engine: RunningEngine; said: unknown[]; killed: boolean }[] = [];
  const launcher: EngineLauncher = {
    start(events) {
      const said: unknown[] = [];
      const engine = inner.start({
        message: (message) => {
          said.push(message);
          events.message(message);
        },
        exit: events.exit,
      });
      const worker = { engine, said, killed: false };
      workers.push(worker);
      return {
        post: engine.post,
        kill: async () => {
          await engine.kill();
          worker.killed = true;
        },
      };
    },
  };
  return { launcher, workers };
}

describe('EngineSupervisor over worker threads (browser mode engine)', () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  }
  let engine: EngineSupervisor | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  function supervise(launcher: EngineLauncher, timers: ManualTimers, log: string[]): EngineSupervisor {
    const supervisor = new EngineSupervisor(launcher, {
      timers,
      now: () => timers.now,
      log: (line) => log.push(line),
    });
    supervisor.start();
    return supervisor;
  }

  it('a crash fails the call in flight with engine-crashed; the worker restarts, reloads the model and serves frames again', async () => {
    const { launcher, workers } = recordingLauncher();
    const timers = new ManualTimers();
    const log: string[] = [];
    engine = supervise(launcher, timers, log);
    await engine.call('loadModel', { dir: udnie, backend: 'ort' });
    const before = await engine.call('stylize', { frame: smallFrame() });

    // Not part of the protocol: straight to the worker, which dies before it reads the next call.
    workers[0]!.engine.post({ id: -1, method: 'crash-for-test' }, []);
    const inFlight = engine.call('status', {});
    await expect(inFlight).rejects.toMatchObject({
      code: 'engine-crashed',
      message: expect.stringContaining('exit code 3'),
    });
    expect(engine.health).toMatchObject({ state: 'recovering', lastError: { code: 'engine-crashed' } });

    // Calls made now wait for the restart; the model is back without being asked for.
    const status = engine.call('status', {});
    timers.advance(FIRST_RESTART_DELAY_MS);
    expect((await status)?.model).toBe('udnie');
    expect(workers).toHaveLength(2);
    const after = await engine.call('stylize', { frame: smallFrame() });
    expect(Buffer.from(after.frame.data).equals(Buffer.from(before.frame.data))).toBe(true);
    expect(log.join('\n')).toMatch(/exit code 3.*Restarting in 1 s[\s\S]*reloaded udnie on ort/);
    expect(engine.health).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('a worker spinning in a frame is noticed at the deadline, killed, restarted with its model, and the next frame succeeds', async () => {
    const { launcher, workers } = recordingLauncher();
    const timers = new ManualTimers();
    const log: string[] = [];
    engine = supervise(launcher, timers, log);
    await engine.call('loadModel', { dir: udnie, backend: 'ort' });
    const before = await engine.call('stylize', { frame: smallFrame() });

    workers[0]!.engine.post({ id: -1, method: 'hang-for-test' }, []);
    const hung = engine.call('stylize', { frame: smallFrame() });
    const behind = engine.call('status', {});
    // The worker says when it starts spinning: from then on it answers nothing, not even the status.
    await vi.waitFor(() => expect(workers[0]!.said).toContainEqual({ spinningForTest: true }));
    timers.advance(DEFAULT_DEADLINES_MS.stylize - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(workers[0]!.killed).toBe(false);
    expect(engine.health.state).toBe('running');

    timers.advance(1);
    await expect(hung).rejects.toMatchObject({
      kind: 'EngineHung',
      code: 'engine-hung',
      message: expect.stringMatching(/did not answer "stylize" within 15 s/),
    });
    await expect(behind).rejects.toMatchObject({ code: 'engine-hung' });
    // terminate() ends even a busy loop.
    await vi.waitFor(() => expect(workers[0]!.killed).toBe(true));
    expect(engine.health).toMatchObject({ state: 'recovering', lastError: { code: 'engine-hung' } });

    timers.advance(FIRST_RESTART_DELAY_MS);
    expect(workers).toHaveLength(2);
    expect((await engine.call('status', {}))?.model).toBe('udnie');
    const after = await engine.call('stylize', { frame: smallFrame() });
    expect(Buffer.from(after.frame.data).equals(Buffer.from(before.frame.data))).toBe(true);
    expect(log.join('\n')).toMatch(
      /did not answer "stylize" within 15 s.*Restarting in 1 s[\s\S]*reloaded udnie/,
    );
    expect(engine.health).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('close releases the model and ends the worker; no restart follows, and calls are refused', async () => {
    const { launcher, workers } = recordingLauncher();
    const timers = new ManualTimers();
    engine = supervise(launcher, timers, []);
    await engine.call('loadModel', { dir: udnie, backend: 'ort' });
    await engine.close();
    expect(workers[0]!.said.at(-1)).toMatchObject({ ok: true, value: null });
    expect(workers[0]!.killed).toBe(true);
    timers.advance(60_000);
    expect(workers).toHaveLength(1);
    await expect(engine.call('status', {})).rejects.toMatchObject({
      code: 'engine-stopped',
      message: expect.stringMatching(/shut down/),
    });
  });
});
