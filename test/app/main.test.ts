/**
 * main.ts's wiring, with Electron mocked: what happens before `ready`, what is set up after it, and
 * that a call from the window reaches the real core services (settings in a temp folder, models from
 * --models). Each test imports main.ts afresh, as Electron would start it.
 */
import {
  electronMock,
  MockBrowserWindow,
  MockMessageChannelMain,
  MockWebContents,
  resetElectronMock,
  setAppPath,
} from './electron-mock.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTROL_CHANNELS, type Result } from '../../common/contract.js';
import { DEFAULT_SETTINGS } from '../../common/settings-schema.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

describe('main.ts', () => {
  let home: string;
  let userData: string;
  const homeBefore = process.env.STYLEMIRROR_HOME;
  let argv: string[];
  let ready: () => void;

  beforeEach(async () => {
    resetElectronMock();
    vi.resetModules();
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // The app moves its user data into STYLEMIRROR_HOME (set for every test file): the settings land there.
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-main-'));
    process.env.STYLEMIRROR_HOME = home;
    userData = path.join(home, 'app');
    setAppPath('userData', '/nonexistent/userData');
    setAppPath('pictures', path.join(home, 'Pictures'));
    argv = process.argv;
    process.argv = [process.execPath, '.'];
    electronMock.app.whenReady.mockReturnValueOnce(
      new Promise<undefined>((resolve) => (ready = () => resolve(undefined))),
    );
  });
  afterEach(async () => {
    process.argv = argv;
    process.env.STYLEMIRROR_HOME = homeBefore;
    await rm(home, { recursive: true, force: true });
  });

  /** Starts main.ts and lets `ready` fire; resolves with the main window. */
  async function startApp(): Promise<MockBrowserWindow> {
    await import('../../main/app/main.js');
    ready();
    await vi.waitFor(() => expect(MockBrowserWindow.created).toHaveLength(1));
    return MockBrowserWindow.created[0]!;
  }

  /** Calls a control channel as the window's page would. */
  async function invoke(
    window: MockBrowserWindow,
    channel: string,
    payload: unknown,
  ): Promise<Result<unknown>> {
    const handler = electronMock.ipcMain.handlers.get(channel)!;
    return (await handler(
      { sender: window.webContents, senderFrame: window.webContents.mainFrame },
      payload,
    )) as Result<unknown>;
  }

  it("moves Electron's user data into STYLEMIRROR_HOME before anything else reads it", async () => {
    await import('../../main/app/main.js');
    expect(electronMock.app.setPath).toHaveBeenCalledWith('userData', userData);
    expect(electronMock.app.setPath.mock.invocationCallOrder[0]!).toBeLessThan(
      electronMock.app.requestSingleInstanceLock.mock.invocationCallOrder[0]!,
    );
  });

  it('registers the app scheme before ready, and nothing else until then', async () => {
    await import('../../main/app/main.js');
    expect(electronMock.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(electronMock.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(electronMock.protocol.handle).not.toHaveBeenCalled();
    expect(electronMock.utilityProcess.fork).not.toHaveBeenCalled();
    expect(MockBrowserWindow.created).toHaveLength(0);
  });

  it('once ready: serves the page, guards permissions, starts the engine, answers IPC, opens the window', async () => {
    const window = await startApp();
    expect(electronMock.protocol.handlers.has('app')).toBe(true);
    expect(electronMock.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(electronMock.session.defaultSession.setPermissionCheckHandler).toHaveBeenCalled();
    expect(electronMock.utilityProcess.fork).toHaveBeenCalledWith(
      expect.stringMatching(/engine\/worker\/engine-worker\.js$/),
      [],
      { serviceName: 'Style Mirror engine' },
    );
    expect([...electronMock.ipcMain.handlers.keys()].sort()).toEqual(Object.keys(CONTROL_CHANNELS).sort());
    expect(window.options).toMatchObject({
      webPreferences: { preload: expect.stringMatching(/preload\/preload\.cjs$/), sandbox: true },
    });
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html');
  });

  it('hands the page a frame port at every load', async () => {
    const window = await startApp();
    const engine = electronMock.utilityProcess.forked[0]!;
    for (let load = 1; load <= 2; load++) {
      window.webContents.emit('did-finish-load');
      const channel = MockMessageChannelMain.created.at(-1)!;
      expect(window.webContents.postMessage).toHaveBeenLastCalledWith('frame-port', null, [channel.port2]);
      expect(engine.postMessage).toHaveBeenLastCalledWith({ type: 'attach-frame-port' }, [channel.port1]);
    }
    expect(MockMessageChannelMain.created).toHaveLength(2);
  });

  it('after an engine crash, hands the page a frame port to the new process (none while it is down)', async () => {
    const window = await startApp();
    vi.useFakeTimers();
    try {
      electronMock.utilityProcess.forked[0]!.emit('exit', 139);
      window.webContents.emit('did-finish-load');
      expect(window.webContents.postMessage).not.toHaveBeenCalled();

      vi.advanceTimersByTime(1_000);
      const restarted = electronMock.utilityProcess.forked[1]!;
      const channel = MockMessageChannelMain.created.at(-1)!;
      expect(window.webContents.postMessage).toHaveBeenLastCalledWith('frame-port', null, [channel.port2]);
      expect(restarted.postMessage).toHaveBeenLastCalledWith({ type: 'attach-frame-port' }, [channel.port1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reloads a crashed page and hands the new page a port, but none to the error page', async () => {
    const window = await startApp();
    vi.useFakeTimers();
    try {
      window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
      vi.advanceTimersByTime(1_000);
      expect(window.webContents.reload).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
    window.webContents.emit('did-finish-load');
    expect(window.webContents.postMessage).toHaveBeenCalledTimes(1);

    await window.webContents.loadURL('data:text/html,stopped');
    window.webContents.emit('did-finish-load');
    expect(window.webContents.postMessage).toHaveBeenCalledTimes(1);
  });

  it('answers the page from the real settings store in userData', async () => {
    const window = await startApp();
    expect(await invoke(window, 'settings:get', {})).toEqual({ ok: true, value: DEFAULT_SETTINGS });
    const updated = await invoke(window, 'settings:update', { strength: 0.5 });
    expect(updated).toMatchObject({ ok: true, value: { strength: 0.5 } });
    const saved = JSON.parse(await readFile(path.join(userData, 'settings.json'), 'utf8')) as {
      strength: number;
    };
    expect(saved.strength).toBe(0.5);
  });

  it('takes a folder only from the dialog the person answers, and opens only that folder', async () => {
    const window = await startApp();
    const shots = path.join(home, 'My Shots');
    await mkdir(shots);
    electronMock.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [shots] });
    expect(await invoke(window, 'folders:choose-snapshots', {})).toMatchObject({
      ok: true,
      value: { snapshotsDir: shots },
    });
    const [parent, options] = electronMock.dialog.showOpenDialog.mock.calls[0]!;
    expect(parent).toBe(window);
    expect(options).toMatchObject({ properties: expect.arrayContaining(['openDirectory']) });

    expect(await invoke(window, 'snapshot:open-folder', { path: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await invoke(window, 'snapshot:open-folder', {})).toEqual({ ok: true, value: { path: shots } });
    expect(electronMock.shell.openPath.mock.calls).toEqual([[shots]]);
  });

  it.skipIf(!existsSync(SHARED_MODELS))(
    'adds a style the person picks in the dialog (the manifest.json stands for its folder) to the library',
    async () => {
      const window = await startApp();
      electronMock.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
      expect(await invoke(window, 'models:import-dialog', {})).toEqual({ ok: true, value: null });

      const manifest = path.join(SHARED_MODELS, 'wave', 'manifest.json');
      electronMock.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [manifest] });
      expect(await invoke(window, 'models:import-dialog', {})).toMatchObject({
        ok: true,
        value: { id: 'library:wave', name: 'Wave', source: 'library', editable: true },
      });
      const [, options] = electronMock.dialog.showOpenDialog.mock.calls[1]!;
      expect(options).toMatchObject({ properties: expect.arrayContaining(['openFile']) });
      expect(await readdir(path.join(home, 'library'))).toEqual(['wave']);
    },
  );

  it('opens the default snapshots folder, Pictures/Style Mirror, making it when missing', async () => {
    const window = await startApp();
    const pictures = path.join(home, 'Pictures', 'Style Mirror');
    expect(await invoke(window, 'snapshot:open-folder', {})).toEqual({ ok: true, value: { path: pictures } });
    expect(electronMock.shell.openPath.mock.calls).toEqual([[pictures]]);
    expect((await stat(pictures)).isDirectory()).toBe(true);
  });

  it('lists the models of --models DIR for this run, leaving the saved folder alone', async () => {
    process.argv = [process.execPath, '.', '--models', SHARED_MODELS];
    const window = await startApp();
    const listed = (await invoke(window, 'models:list', {})) as Result<{ id: string; source: string }[]>;
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    expect(listed.value.map((m) => m.id)).toContain('user:udnie');
    expect(await invoke(window, 'settings:get', {})).toMatchObject({ ok: true, value: { modelsDir: null } });
    // Choosing a models folder would not apply to this run: said rather than silently saved.
    expect(await invoke(window, 'folders:choose-models', {})).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('without --models') },
    });
    expect(electronMock.dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  it('refuses to start, saying why, when --models names no folder', async () => {
    process.argv = [process.execPath, '.', '--models', path.join(home, 'missing')];
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await import('../../main/app/main.js');
    ready();
    await vi.waitFor(() => expect(electronMock.app.exit).toHaveBeenCalledWith(1));
    expect(electronMock.dialog.showErrorBox).toHaveBeenCalledWith(
      'Style Mirror cannot start',
      expect.stringContaining('is not a folder'),
    );
    expect(MockBrowserWindow.created).toHaveLength(0);
  });

  it("answers the remote control on --control-port, with the window's report, and sends it the verbs", async () => {
    process.argv = [process.execPath, '.', '--control-port', '0'];
    electronMock.app.getAppMetrics.mockReturnValue([
      { pid: 10, type: 'Browser', memory: { workingSetSize: 2048 } },
      { pid: 11, type: 'Utility', serviceName: 'Style Mirror engine', memory: { workingSetSize: 4096 } },
    ]);
    const window = await startApp();
    // The address goes to main.log (and the terminal) in the remote scope.
    const logged = (): Promise<string> =>
      readFile(path.join(home, 'logs', 'main.log'), 'utf8').catch(() => '');
    await vi.waitFor(async () => expect(await logged()).toMatch(/\(remote\) Remote control: http/));
    const api = /Remote control: (http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(await logged())![1]!;
    try {
      const report = {
        displayedFps: 9,
        newestFrameAgeMs: 10,
        currentModelId: 'bundled:matta',
        resting: false,
        cameraError: null,
      };
      expect(await invoke(window, 'mirror:report', report)).toEqual({ ok: true, value: {} });
      const answer = fetch(`${api}/status`);
      // The engine is a mock process: answer its status call as the worker would.
      const engine = electronMock.utilityProcess.forked[0]!;
      await vi.waitFor(() =>
        expect(engine.messages.some((m) => (m as { method?: string }).method === 'status')).toBe(true),
      );
      const call = engine.messages.find((m) => (m as { method?: string }).method === 'status') as {
        id: number;
      };
      engine.emit('message', { id: call.id, ok: true, value: null });
      const status = (await (await answer).json()) as Record<string, unknown>;
      expect(status).toMatchObject({
        style: 'bundled:matta',
        displayedFps: 9,
        pages: { connected: 1, reporting: 1 },
        memory: [
          { process: 'Browser', pid: 10, residentBytes: 2048 * 1024 },
          { process: 'Style Mirror engine', pid: 11, residentBytes: 4096 * 1024 },
        ],
      });

      const next = await fetch(`${api}/style/next`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(next.status).toBe(202);
      expect(window.webContents.send).toHaveBeenCalledWith('mirror:event', {
        kind: 'command',
        command: { verb: 'style-next' },
      });
      // Not to a page that is not the mirror's (the error page after repeated crashes).
      window.webContents.mainFrame = { url: 'data:text/html,crashed', parent: null };
      const refused = await fetch(`${api}/snapshot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { code: 'no-page' } });
      expect(window.webContents.send).toHaveBeenCalledTimes(1);
    } finally {
      electronMock.app.emit('will-quit', { preventDefault: vi.fn() });
    }
  });

  it('releases the engine before quitting', async () => {
    await startApp();
    const engine = electronMock.utilityProcess.forked[0]!;
    const quit = { preventDefault: vi.fn() };
    electronMock.app.emit('will-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    const dispose = engine.messages.find((m) => (m as { method?: string }).method === 'dispose') as {
      id: number;
    };
    expect(dispose).toBeDefined();
    engine.emit('message', { id: dispose.id, ok: true, value: null });
    await vi.waitFor(() => expect(electronMock.app.quit).toHaveBeenCalled());
    expect(engine.kill).toHaveBeenCalled();
    // The second will-quit (from that app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    electronMock.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('--kiosk: a kiosk window on the primary display, told by its address, the display kept awake', async () => {
    process.argv = [process.execPath, '.', '--kiosk'];
    const window = await startApp();
    expect(window.options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      x: 0,
      y: 0,
      width: 1920,
      height: 1080,
    });
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html?kiosk=1');
    expect(electronMock.powerSaveBlocker.start).toHaveBeenCalledWith('prevent-display-sleep');
    // Saved settings untouched: --kiosk is for this run.
    expect(await invoke(window, 'settings:get', {})).toEqual({ ok: true, value: DEFAULT_SETTINGS });

    // "Leave kiosk mode" in the page: the window becomes ordinary, the display may sleep.
    await invoke(window, 'settings:update', { kiosk: { enabled: false } });
    expect(window.setKiosk).toHaveBeenCalledWith(false);
    expect(window.setFullScreen).toHaveBeenCalledWith(false);
    expect(electronMock.powerSaveBlocker.stop).toHaveBeenCalledWith(7);
  });

  it('lists the displays for kiosk mode, and moves the kiosk window to the one chosen', async () => {
    electronMock.screen.displays.push({ id: 77, bounds: { x: 1920, y: 0, width: 1280, height: 1024 } });
    process.argv = [process.execPath, '.', '--kiosk'];
    const window = await startApp();
    expect(await invoke(window, 'displays:list', {})).toEqual({
      ok: true,
      value: [
        { id: 1, label: 'Display 1', width: 1920, height: 1080, primary: true },
        { id: 77, label: 'Display 2', width: 1280, height: 1024, primary: false },
      ],
    });
    await invoke(window, 'settings:update', { kiosk: { displayId: 77 } });
    expect(window.setBounds).toHaveBeenCalledWith({ x: 1920, y: 0, width: 1280, height: 1024 });
    expect(window.setFullScreen).toHaveBeenLastCalledWith(true);
  });

  it('without kiosk mode: an ordinary window, display sleep allowed; the settings turn it on and start at login', async () => {
    const window = await startApp();
    expect(window.options).not.toHaveProperty('kiosk');
    expect(electronMock.powerSaveBlocker.start).not.toHaveBeenCalled();
    await invoke(window, 'settings:update', { kiosk: { enabled: true, startAtLogin: true } });
    expect(window.setKiosk).toHaveBeenCalledWith(true);
    expect(electronMock.powerSaveBlocker.start).toHaveBeenCalledWith('prevent-display-sleep');
    expect(electronMock.app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
  });

  it('logs to main.log in the logs folder, in the one line format: settings warnings, engine crashes, pages', async () => {
    await mkdir(userData, { recursive: true });
    await writeFile(path.join(userData, 'settings.json'), '{ "strength": 0.3, oops');
    const window = await startApp();
    electronMock.utilityProcess.forked[0]!.emit('exit', 139);
    electronMock.app.emit(
      'child-process-gone',
      {},
      { type: 'Utility', serviceName: 'Style Mirror engine', reason: 'crashed', exitCode: 139 },
    );
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    const contents = new MockWebContents();
    electronMock.app.emit('web-contents-created', {}, contents);
    contents.emit('will-navigate', { url: 'https://elsewhere.example/', preventDefault: vi.fn() });
    const logged = await readFile(path.join(home, 'logs', 'main.log'), 'utf8');
    const line = (scope: string, text: RegExp): RegExp =>
      new RegExp(
        `^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d\\d:\\d\\d\\] warn \\(${scope}\\) ${text.source}`,
        'm',
      );
    expect(logged).toMatch(line('settings', /Some settings in .*settings\.json could not be used/));
    expect(logged).toMatch(line('engine', /The style engine stopped unexpectedly \(exit code 139\)/));
    expect(logged).toMatch(line('app', /Style Mirror engine process gone \(crashed, exit code 139\)\.$/));
    expect(logged).toMatch(line('page', /the page stopped \(crashed\); reloading it in 1 s\.$/));
    expect(logged).toMatch(line('guard', /refused navigation to https:\/\/elsewhere\.example\/$/));
  });

  it('relaunches once without hardware acceleration after 3 GPU crashes, logging why', async () => {
    await startApp();
    // The log answers no page: electron-log's own IPC channel is closed.
    expect(electronMock.ipcMain.removeHandler).toHaveBeenCalledWith('__ELECTRON_LOG__');
    expect(electronMock.ipcMain.removeAllListeners).toHaveBeenCalledWith('__ELECTRON_LOG__');
    const gpuGone = { type: 'GPU', reason: 'crashed', exitCode: 139 };
    electronMock.app.emit('child-process-gone', {}, gpuGone);
    electronMock.app.emit('child-process-gone', {}, { type: 'Utility', reason: 'crashed', exitCode: 1 });
    electronMock.app.emit('child-process-gone', {}, gpuGone);
    expect(electronMock.app.relaunch).not.toHaveBeenCalled();
    electronMock.app.emit('child-process-gone', {}, gpuGone);
    expect(electronMock.app.relaunch.mock.calls).toEqual([[{ args: ['.', '--disable-gpu-acceleration'] }]]);
    expect(electronMock.app.quit).toHaveBeenCalled();
    electronMock.app.emit('child-process-gone', {}, gpuGone);
    expect(electronMock.app.relaunch).toHaveBeenCalledTimes(1);
    expect(electronMock.app.disableHardwareAcceleration).not.toHaveBeenCalled();
    expect(await readFile(path.join(home, 'logs', 'main.log'), 'utf8')).toMatch(
      /\] error \(app\) the GPU process crashed 3 times within 5 minutes: relaunching without hardware acceleration\.$/m,
    );
  });

  it('starts the relaunched app without hardware acceleration, before ready, and never relaunches it again', async () => {
    process.argv = [process.execPath, '.', '--disable-gpu-acceleration'];
    await import('../../main/app/main.js');
    // Before ready: Electron refuses it after.
    expect(electronMock.app.disableHardwareAcceleration).toHaveBeenCalledTimes(1);
    expect(MockBrowserWindow.created).toHaveLength(0);
    ready();
    await vi.waitFor(() => expect(MockBrowserWindow.created).toHaveLength(1));
    for (let i = 0; i < 6; i++) {
      electronMock.app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 139 });
    }
    expect(electronMock.app.relaunch).not.toHaveBeenCalled();
    expect(electronMock.app.quit).not.toHaveBeenCalled();
  });

  it('a second instance quits at once and brings the first one forward', async () => {
    const window = await startApp();
    const focus = vi.fn();
    Object.assign(window, { isMinimized: () => false, restore: vi.fn(), focus });
    electronMock.app.emit('second-instance', {}, []);
    expect(focus).toHaveBeenCalled();

    resetElectronMock();
    vi.resetModules();
    electronMock.app.requestSingleInstanceLock.mockReturnValueOnce(false);
    await import('../../main/app/main.js');
    expect(electronMock.app.quit).toHaveBeenCalled();
    expect(electronMock.app.whenReady).not.toHaveBeenCalled();
  });
});
