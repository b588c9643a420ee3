/**
 * The supervisor's rules, with a launcher the test drives by hand: which calls fail how and when,
 * when engines start and stop. The same supervisor runs real engines in
 * worker/supervised-worker.test.ts (worker threads) and app/engine-process.test.ts (utilityProcess).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineHealth } from '../../common/engine-errors.js';
import type { EngineRequest } from '../../common/engine-protocol.js';
import type { EngineStatus } from '../../common/engine-types.js';
import type { EngineEvents, EngineLauncher } from '../../main/engine/engine-launcher.js';
import { DEFAULT_DEADLINES_MS, EngineSupervisor } from '../../main/engine/engine-supervisor.js';
import { FIRST_RESTART_DELAY_MS } from '../../main/engine/restart-policy.js';
import { flush, ManualTimers } from '../renderer/fakes.js';

const UDNIE = { dir: '/models/udnie', backend: 'ort' as const, name: 'Udnie' };
const STATUS: EngineStatus = {
  model: 'Udnie',
  backend: {
    kind: 'ort',
    runtime: 'cpu',
    device: 'CPU',
    precision: 'fp32',
    precisionReason: 'float32 as asked',
  },
};
const FRAME = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, channels: 3 as const };

/** One engine the fake launcher started: what it was sent, and handles to answer or crash it. */
class FakeRun {
  readonly posted: EngineRequest[] = [];
  killed = false;

  constructor(private readonly events: EngineEvents) {}

  /** Answers the `index`th request (0-based) with `value`. */
  answer(index: number, value: unknown): void {
    this.events.message({ id: this.request(index).id, ok: true, value });
  }

  fail(index: number, error: { kind: string; code?: string; message: string }): void {
    this.events.message({ id: this.request(index).id, ok: false, error });
  }

  crash(reason = 'exit code 139'): void {
    this.events.exit(reason);
  }

  methods(): string[] {
    return this.posted.map((r) => r.method);
  }

  private request(index: number): EngineRequest {
    const request = this.posted[index];
    if (request === undefined) throw new Error(`No request #${index} on this engine.`);
    return request;
  }
}

class FakeLauncher implements EngineLauncher {
  readonly runs: FakeRun[] = [];
  failNextStart: Error | undefined;
  /** Kills that never finish, as for a thread stuck in native code. */
  killsHang = false;

  start(events: EngineEvents) {
    if (this.failNextStart !== undefined) {
      const error = this.failNextStart;
      this.failNextStart = undefined;
      throw error;
    }
    const run = new FakeRun(events);
    this.runs.push(run);
    return {
      post: (message: unknown) => void run.posted.push(message as EngineRequest),
      kill: () => {
        run.killed = true;
        return this.killsHang ? new Promise<void>(() => undefined) : Promise.resolve();
      },
    };
  }

  get last(): FakeRun {
    return this.runs.at(-1)!;
  }
}

describe('EngineSupervisor', () => {
  let launcher: FakeLauncher;
  let timers: ManualTimers;
  let log: string[];
  let supervisor: EngineSupervisor;
  let health: EngineHealth[];
  let restarts: number;

  function supervise(options: ConstructorParameters<typeof EngineSupervisor>[1] = {}): EngineSupervisor {
    const created = new EngineSupervisor(launcher, {
      timers,
      now: () => timers.now,
      log: (line) => log.push(line),
      ...options,
    });
    created.onHealth((h) => health.push(h));
    created.onRestart(() => restarts++);
    return created;
  }

  beforeEach(() => {
    launcher = new FakeLauncher();
    timers = new ManualTimers();
    log = [];
    health = [];
    restarts = 0;
    supervisor = supervise();
  });

  /** Loads UDNIE on the current engine, as a page would. */
  async function loadUdnie(): Promise<void> {
    const loading = supervisor.call('loadModel', UDNIE);
    launcher.last.answer(launcher.last.posted.length - 1, STATUS);
    await loading;
  }

  it('holds calls made before start and sends them to the engine it starts', async () => {
    const status = supervisor.call('status', {});
    expect(launcher.runs).toHaveLength(0);
    supervisor.start();
    expect(launcher.last.methods()).toEqual(['status']);
    launcher.last.answer(0, null);
    await expect(status).resolves.toBeNull();
    expect(supervisor.health).toEqual({ state: 'running', restarts: 0, lastError: null });
  });

  it("rejects with the engine's own error, kind and code kept", async () => {
    supervisor.start();
    const loading = supervisor.call('loadModel', UDNIE);
    launcher.last.fail(0, { kind: 'ModelError', code: 'manifest-missing', message: 'No manifest.json' });
    await expect(loading).rejects.toMatchObject({
      name: 'ModelError',
      kind: 'ModelError',
      code: 'manifest-missing',
      message: 'No manifest.json',
    });
  });

  it('a crash rejects every call in flight with engine-crashed, then restarts and reloads the model', async () => {
    supervisor.start();
    await loadUdnie();
    const first = launcher.last;
    const frame = supervisor.call('stylize', { frame: FRAME });
    const status = supervisor.call('status', {});
    first.crash('exit code 139');
    for (const call of [frame, status]) {
      await expect(call).rejects.toMatchObject({
        kind: 'EngineCrashed',
        code: 'engine-crashed',
        message: expect.stringContaining('exit code 139'),
      });
    }
    expect(supervisor.health).toMatchObject({
      state: 'recovering',
      lastError: { code: 'engine-crashed' },
    });

    timers.advance(FIRST_RESTART_DELAY_MS);
    expect(launcher.runs).toHaveLength(2);
    expect(launcher.last.posted[0]).toMatchObject({ method: 'loadModel', params: UDNIE });
    expect(restarts).toBe(1);
    launcher.last.answer(0, STATUS);
    await flush();
    expect(supervisor.health).toMatchObject({ state: 'running', restarts: 1 });
    expect(health.map((h) => h.state)).toEqual(['running', 'recovering', 'running']);
  });

  it('a missed deadline is a hang: engine-hung for every call in it, kill, restart, reload, frames again', async () => {
    supervisor.start();
    await loadUdnie();
    const hungEngine = launcher.last;
    const frame = supervisor.call('stylize', { frame: FRAME });
    const queued = supervisor.call('status', {});

    timers.advance(DEFAULT_DEADLINES_MS.stylize - 1);
    expect(hungEngine.killed).toBe(false);
    timers.advance(1);
    await expect(frame).rejects.toMatchObject({
      kind: 'EngineHung',
      code: 'engine-hung',
      message: expect.stringMatching(/did not answer "stylize" within 15 s/),
    });
    await expect(queued).rejects.toMatchObject({ code: 'engine-hung' });
    expect(hungEngine.killed).toBe(true);
    expect(log.join('\n')).toMatch(/did not answer "stylize".*Restarting in 1 s/);

    // A late answer from the killed engine changes nothing.
    hungEngine.answer(1, STATUS);

    timers.advance(FIRST_RESTART_DELAY_MS);
    const fresh = launcher.last;
    expect(fresh).not.toBe(hungEngine);
    expect(fresh.methods()).toEqual(['loadModel']);
    fresh.answer(0, STATUS);
    const next = supervisor.call('stylize', { frame: FRAME });
    fresh.answer(1, { frame: FRAME });
    await expect(next).resolves.toEqual({ frame: FRAME });
    expect(supervisor.health).toMatchObject({
      state: 'running',
      restarts: 1,
      lastError: { code: 'engine-hung' },
    });
  });

  it('counts a deadline from when the engine can start on the call: a frame behind a slow load is not a hang', async () => {
    supervisor.start();
    const loading = supervisor.call('loadModel', UDNIE);
    const frame = supervisor.call('stylize', { frame: FRAME });
    timers.advance(DEFAULT_DEADLINES_MS.stylize * 3);
    launcher.last.answer(0, STATUS);
    await loading;
    timers.advance(DEFAULT_DEADLINES_MS.stylize - 1);
    launcher.last.answer(1, { frame: FRAME });
    await expect(frame).resolves.toEqual({ frame: FRAME });
    expect(launcher.runs).toHaveLength(1);
  });

  it('takes its deadlines from the options', async () => {
    supervisor = supervise({ deadlines: { status: 50 } });
    supervisor.start();
    const status = supervisor.call('status', {});
    timers.advance(50);
    await expect(status).rejects.toMatchObject({ code: 'engine-hung', message: /within 0.05 s/ });
  });

  it('refuses calls beyond maxPending with engine-busy, without sending them', async () => {
    supervisor = supervise({ maxPending: 2 });
    supervisor.start();
    const a = supervisor.call('status', {});
    const b = supervisor.call('status', {});
    await expect(supervisor.call('status', {})).rejects.toMatchObject({
      kind: 'EngineBusy',
      code: 'engine-busy',
      message: expect.stringContaining('2 calls waiting'),
    });
    expect(launcher.last.posted).toHaveLength(2);
    launcher.last.answer(0, null);
    await a;
    const c = supervisor.call('status', {});
    launcher.last.answer(1, null);
    launcher.last.answer(2, null);
    await expect(Promise.all([b, c])).resolves.toEqual([null, null]);
  });

  it('counts calls waiting for a restart against the bound too', async () => {
    supervisor = supervise({ maxPending: 1 });
    supervisor.start();
    launcher.last.crash();
    const waiting = supervisor.call('status', {});
    await expect(supervisor.call('status', {})).rejects.toMatchObject({ code: 'engine-busy' });
    timers.advance(FIRST_RESTART_DELAY_MS);
    launcher.last.answer(0, null);
    await expect(waiting).resolves.toBeNull();
  });

  it('close releases the model, fails waiting calls with engine-stopped, kills the engine, and never restarts', async () => {
    supervisor.start();
    await loadUdnie();
    const engine = launcher.last;
    const inFlight = supervisor.call('status', {});
    const closing = supervisor.close();
    await expect(supervisor.call('status', {})).rejects.toMatchObject({
      kind: 'EngineStopped',
      code: 'engine-stopped',
    });
    // The engine works in order: the call in flight is answered before the dispose.
    expect(engine.methods()).toEqual(['loadModel', 'status', 'dispose']);
    engine.answer(1, null);
    engine.answer(2, null);
    await closing;
    await expect(inFlight).resolves.toBeNull();
    expect(engine.killed).toBe(true);
    expect(supervisor.health.state).toBe('stopped');
    engine.crash('exit code 0');
    timers.advance(60_000);
    expect(launcher.runs).toHaveLength(1);
  });

  it('close fails everything still pending when the engine does not answer the dispose', async () => {
    supervisor.start();
    const stuck = supervisor.call('status', {});
    const closing = supervisor.close();
    timers.advance(DEFAULT_DEADLINES_MS.status);
    await expect(stuck).rejects.toMatchObject({ code: 'engine-hung' });
    timers.advance(DEFAULT_DEADLINES_MS.dispose);
    await closing;
    expect(launcher.last.killed).toBe(true);
    expect(launcher.runs).toHaveLength(1);
  });

  it('close does not wait forever for an engine that cannot be ended', async () => {
    launcher.killsHang = true;
    supervisor.start();
    const closing = supervisor.close();
    launcher.last.answer(0, null);
    await flush();
    expect(launcher.last.killed).toBe(true);
    timers.advance(DEFAULT_DEADLINES_MS.dispose);
    await closing;
    expect(supervisor.health.state).toBe('stopped');
  });

  it('close during a restart backoff cancels the restart and fails the calls waiting for it', async () => {
    supervisor.start();
    launcher.last.crash();
    const waiting = supervisor.call('status', {});
    await supervisor.close();
    await expect(waiting).rejects.toMatchObject({ code: 'engine-stopped' });
    timers.advance(60_000);
    expect(launcher.runs).toHaveLength(1);
  });

  it('an engine that cannot start is retried with the same backoff', async () => {
    launcher.failNextStart = new Error('spawn ENOENT');
    supervisor.start();
    expect(launcher.runs).toHaveLength(0);
    expect(supervisor.health).toMatchObject({
      state: 'recovering',
      lastError: { code: 'engine-crashed', message: expect.stringContaining('spawn ENOENT') },
    });
    const waiting = supervisor.call('status', {});
    timers.advance(FIRST_RESTART_DELAY_MS);
    launcher.last.answer(0, null);
    await expect(waiting).resolves.toBeNull();
  });

  it('a model that fails to reload is reported, and the engine runs on without it', async () => {
    supervisor.start();
    await loadUdnie();
    launcher.last.crash();
    timers.advance(FIRST_RESTART_DELAY_MS);
    launcher.last.fail(0, { kind: 'ModelError', code: 'manifest-missing', message: 'gone' });
    await flush();
    expect(log.at(-1)).toBe('could not reload Udnie: gone');
    expect(supervisor.health).toMatchObject({ state: 'running', lastError: { code: 'manifest-missing' } });
  });
});
