import {
  electronMock,
  MockMessageChannelMain,
  MockMessagePortMain,
  resetElectronMock,
  type MockUtilityProcess,
} from './electron-mock.js';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { UtilityProcessLauncher } from '../../main/app/engine-process.js';
import { EngineSupervisor } from '../../main/engine/engine-supervisor.js';
import {
  FIRST_RESTART_DELAY_MS,
  MAX_RESTART_DELAY_MS,
  STABLE_UPTIME_MS,
} from '../../main/engine/restart-policy.js';
import type { EngineStatus } from '../../main/engine/engine.js';
import { ATTACH_FRAME_PORT, type EngineRequest } from '../../common/engine-protocol.js';

const WORKER = '/app/dist/main/engine/worker/engine-worker.js';
const UDNIE = { dir: '/models/udnie', backend: 'ort' as const, name: 'Udnie' };
const STATUS: EngineStatus = {
  model: 'Udnie',
  backend: {
    kind: 'ort',
    runtime: 'onnxruntime-node',
    device: 'cpu',
    precision: 'fp32',
    precisionReason: 'test',
  },
};

/** The supervisor's processes so far, oldest first. */
const children = (): MockUtilityProcess[] => electronMock.utilityProcess.forked;
const lastChild = (): MockUtilityProcess => children().at(-1)!;
/** Engine requests posted to `child`, leaving out frame-port attachments. */
const requests = (child: MockUtilityProcess) =>
  child.messages.filter((m): m is EngineRequest => typeof (m as EngineRequest).method === 'string');
/** Answers `child`'s request number `index` (0-based) with `value`. */
function answer(child: MockUtilityProcess, index: number, value: unknown): void {
  const request = requests(child)[index];
  if (request === undefined) throw new Error(`No request #${index} on this child.`);
  child.emit('message', { id: request.id, ok: true, value });
}

/**
 * The engine supervisor over Electron's utilityProcess, as main.ts puts them together: the launcher
 * forks and hands out frame ports, the supervisor restarts, reloads and keeps deadlines.
 */
describe('EngineSupervisor with the utilityProcess launcher', () => {
  let clock: number;
  let onRestart: Mock<() => MockMessagePortMain | undefined>;
  let launcher: UtilityProcessLauncher;
  let engine: EngineSupervisor;
  let log: Mock<(message: string) => void>;

  beforeEach(() => {
    resetElectronMock();
    vi.useFakeTimers();
    clock = 0;
    log = vi.fn<(message: string) => void>();
    launcher = new UtilityProcessLauncher(WORKER, log);
    engine = new EngineSupervisor(launcher, { log, now: () => clock });
    onRestart = vi.fn(() => launcher.openFramePort() as unknown as MockMessagePortMain | undefined);
    engine.onRestart(onRestart);
    engine.start();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Ends the current process as a crash would, after it has been up for `uptimeMs`. */
  function crash(uptimeMs = 0, code = 139): void {
    clock += uptimeMs;
    lastChild().emit('exit', code);
  }

  it('forks the built worker as a named utility process', () => {
    expect(electronMock.utilityProcess.fork).toHaveBeenCalledWith(WORKER, [], {
      serviceName: 'Style Mirror engine',
    });
  });

  it('calls the engine with request ids and resolves with its replies', async () => {
    const loading = engine.call('loadModel', UDNIE);
    const status = engine.call('status', {});
    const [load, ask] = requests(lastChild());
    expect(load).toEqual({ id: load!.id, method: 'loadModel', params: UDNIE });
    expect(ask).toEqual({ id: ask!.id, method: 'status', params: {} });
    expect(ask!.id).not.toBe(load!.id);
    // Replies can come in any order; ids match them up.
    lastChild().emit('message', { id: ask!.id, ok: true, value: null });
    lastChild().emit('message', { id: load!.id, ok: true, value: STATUS });
    await expect(loading).resolves.toEqual(STATUS);
    await expect(status).resolves.toBeNull();
  });

  it("rejects with the engine's error, kind and code kept", async () => {
    const loading = engine.call('loadModel', UDNIE);
    const [load] = requests(lastChild());
    lastChild().emit('message', {
      id: load!.id,
      ok: false,
      error: { kind: 'ModelError', code: 'manifest-missing', message: 'No manifest.json in /models/udnie' },
    });
    await expect(loading).rejects.toMatchObject({
      name: 'ModelError',
      code: 'manifest-missing',
      message: 'No manifest.json in /models/udnie',
    });
  });

  it('hands the engine one end of a new channel and returns the other for the window', () => {
    const port = launcher.openFramePort();
    const channel = MockMessageChannelMain.created.at(-1)!;
    expect(port).toBe(channel.port2);
    expect(lastChild().postMessage).toHaveBeenCalledWith({ type: ATTACH_FRAME_PORT }, [channel.port1]);
  });

  it('after a crash: rejects calls in flight, restarts after a second, reloads the last model and issues a new frame port', async () => {
    const loading = engine.call('loadModel', UDNIE);
    answer(lastChild(), 0, STATUS);
    await loading;
    const firstPort = launcher.openFramePort();

    const inFlight = engine.call('status', {});
    crash();
    await expect(inFlight).rejects.toMatchObject({ code: 'engine-crashed' });
    expect(children()).toHaveLength(1);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/exit code 139.*Restarting in 1 s/));
    // No process, no frame port: the restart hands the window one.
    expect(launcher.openFramePort()).toBeUndefined();

    vi.advanceTimersByTime(FIRST_RESTART_DELAY_MS - 1);
    expect(children()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(children()).toHaveLength(2);

    const restarted = lastChild();
    // The model comes back first, then the new frame port goes out.
    expect(requests(restarted)[0]).toMatchObject({ method: 'loadModel', params: UDNIE });
    expect(onRestart).toHaveBeenCalledTimes(1);
    const newPort = onRestart.mock.results[0]!.value;
    expect(newPort).not.toBe(firstPort);
    const attach = restarted.postMessage.mock.calls.find(
      ([m]) => (m as { type?: string }).type === ATTACH_FRAME_PORT,
    );
    expect(attach?.[1]).toEqual([MockMessageChannelMain.created.at(-1)!.port1]);
    expect(restarted.postMessage.mock.calls.findIndex(([m]) => m === requests(restarted)[0])).toBeLessThan(
      restarted.postMessage.mock.calls.indexOf(attach!),
    );

    answer(restarted, 0, STATUS);
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith('reloaded Udnie on ort.'));
  });

  it('remembers only models that loaded: a failed load is not reloaded after a crash', async () => {
    const bad = engine.call('loadModel', { ...UDNIE, dir: '/models/broken' });
    lastChild().emit('message', {
      id: requests(lastChild())[0]!.id,
      ok: false,
      error: { kind: 'ModelError', message: 'broken' },
    });
    await expect(bad).rejects.toThrow('broken');
    crash();
    vi.advanceTimersByTime(FIRST_RESTART_DELAY_MS);
    expect(requests(lastChild())).toEqual([]);
  });

  it('backs off 1 s, 2 s, 4 s ... up to 30 s while it keeps crashing, and starts over after a minute up', () => {
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = children().length;
      crash(100);
      let waited = 0;
      while (children().length === before) {
        vi.advanceTimersByTime(500);
        waited += 500;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, MAX_RESTART_DELAY_MS, MAX_RESTART_DELAY_MS]);

    // Up for a minute: the next crash is treated as a first one.
    const before = children().length;
    crash(STABLE_UPTIME_MS);
    vi.advanceTimersByTime(FIRST_RESTART_DELAY_MS);
    expect(children()).toHaveLength(before + 1);
  });

  it('holds calls made while the engine is down and sends them, after the reload, to the new process', async () => {
    const loading = engine.call('loadModel', UDNIE);
    answer(lastChild(), 0, STATUS);
    await loading;
    crash();
    const waiting = engine.call('status', {});
    vi.advanceTimersByTime(FIRST_RESTART_DELAY_MS);
    const restarted = lastChild();
    expect(requests(restarted).map((r) => r.method)).toEqual(['loadModel', 'status']);
    answer(restarted, 1, STATUS);
    await expect(waiting).resolves.toEqual(STATUS);
  });

  it('close releases the model, ends the process, and never restarts it', async () => {
    const child = lastChild();
    const pending = engine.call('status', {});
    const closing = engine.close();
    const dispose = requests(child).find((r) => r.method === 'dispose')!;
    child.emit('message', { id: dispose.id, ok: true, value: null });
    await closing;
    expect(child.kill).toHaveBeenCalled();
    await expect(pending).rejects.toMatchObject({ code: 'engine-stopped' });

    child.emit('exit', 0);
    vi.advanceTimersByTime(MAX_RESTART_DELAY_MS * 2);
    expect(children()).toHaveLength(1);
    await expect(engine.call('status', {})).rejects.toMatchObject({ code: 'engine-stopped' });
    expect(launcher.openFramePort()).toBeUndefined();
  });

  it('close does not wait forever for an engine that no longer answers', async () => {
    const child = lastChild();
    const closing = engine.close();
    await vi.advanceTimersByTimeAsync(3_000);
    await closing;
    expect(child.kill).toHaveBeenCalled();
  });

  it('close during a restart backoff cancels the restart', async () => {
    crash();
    await engine.close();
    vi.advanceTimersByTime(MAX_RESTART_DELAY_MS);
    expect(children()).toHaveLength(1);
  });

  it('kills a process that misses a deadline and starts another, which gets the model and a frame port', async () => {
    const loading = engine.call('loadModel', UDNIE);
    answer(lastChild(), 0, STATUS);
    await loading;
    const hung = lastChild();
    const status = engine.call('status', {});
    vi.advanceTimersByTime(30_000);
    await expect(status).rejects.toMatchObject({ code: 'engine-hung' });
    expect(hung.kill).toHaveBeenCalled();
    // Its exit, which the kill causes, is not a second crash.
    hung.emit('exit', 15);
    vi.advanceTimersByTime(FIRST_RESTART_DELAY_MS);
    expect(children()).toHaveLength(2);
    expect(requests(lastChild())[0]).toMatchObject({ method: 'loadModel', params: UDNIE });
    expect(onRestart).toHaveBeenCalledTimes(1);
    expect(onRestart.mock.results[0]!.value).toBe(MockMessageChannelMain.created.at(-1)!.port2);
    vi.advanceTimersByTime(MAX_RESTART_DELAY_MS);
    expect(children()).toHaveLength(2);
  });
});
