/**
 * Style Mirror's Electron main process. It wires the Electron-free core (the contract, the mirror
 * service, the model library, settings and snapshots) and the engine's utilityProcess to one hardened
 * window. Each feature has its own `setupX()`; the comments say where their order matters.
 */
import {
  app,
  dialog,
  powerSaveBlocker,
  screen,
  session,
  shell,
  type BrowserWindow,
  type WebContents,
} from 'electron';
import type { SettingsStore } from '../core/settings/settings-store.js';
import {
  displayChoices,
  KioskRuntime,
  kioskWindowPlan,
  type Displays,
  type KioskWindowPlan,
} from '../core/kiosk-window.js';
import { createControlHandlers } from '../core/mirror-service.js';
import {
  accelerationOffIn,
  DISABLE_GPU_FLAG,
  GPU_CRASH_WINDOW_MS,
  GpuCrashPolicy,
  relaunchOptions,
} from '../core/gpu-crash-policy.js';
import type { Log, Logs } from '../core/log.js';
import { openAppLog } from './app-log.js';
import { JsonFileSettingsStore } from '../core/settings/settings-file-store.js';
import { ModelLibrary } from '../core/model-library.js';
import { SnapshotFolder } from '../core/snapshots.js';
import { stylemirrorPaths } from '../engine/stylemirror-home.js';
import { isRendererUrl } from './app-origin.js';
import { registerAppScheme, setupAppProtocol } from './app-protocol.js';
import {
  bundledModelsDir,
  defaultSnapshotsDir,
  ENGINE_WORKER_PATH,
  PRELOAD_PATH,
  RENDERER_DIR,
  settingsFile,
} from './app-paths.js';
import { kioskOverride, modelsDirOverride, remoteOverrides } from './command-line.js';
import { MIRROR_EVENT_CHANNEL, type MirrorEvent } from '../../common/mirror-events.js';
import { PageHub } from '../core/remote/page-hub.js';
import {
  createRemoteControl,
  RemoteControl,
  remoteEndpoints,
  watchRemoteSettings,
  type RemoteOverrides,
} from '../core/remote/remote-control.js';
import { LastError } from '../core/remote/status-document.js';
import { EngineSupervisor } from '../engine/engine-supervisor.js';
import { UtilityProcessLauncher } from './engine-process.js';
import { chooseFolderInDialog, pickImportInDialog } from './folder-dialog.js';
import { PackDownloads } from '../core/pack-downloads.js';
import { FRAME_PORT_CHANNEL } from '../../common/preload-api.js';
import { setupIpc } from './ipc.js';
import { setupNavigationGuards } from './navigation.js';
import { watchPage } from './page-watch.js';
import { setupPermissions } from './permissions.js';
import { createMainWindow, OwnWindows } from './window.js';

const ownWindows = new OwnWindows();
let mainWindow: BrowserWindow | undefined;
let engine: EngineSupervisor | undefined;
let engineLauncher: UtilityProcessLauncher | undefined;
let remote: RemoteControl | undefined;
const startedAt = Date.now();
const lastError = new LastError();

/** Pushes `event` to `webContents`' page when it shows the mirror; false otherwise. */
function sendMirrorEvent(webContents: WebContents, event: MirrorEvent): boolean {
  if (webContents.isDestroyed() || !isRendererUrl(webContents.getURL())) return false;
  webContents.send(MIRROR_EVENT_CHANNEL, event);
  return true;
}

/** Refuses to start a second mirror; a second launch brings the running one to the front instead. */
function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => {
    if (mainWindow === undefined || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  return true;
}

/** Logs child processes that die (the engine, the GPU process...); each window's page is watched by watchPage. */
function setupCrashLogging(): void {
  app.on('child-process-gone', (_event, details) => {
    const name = details.serviceName ?? details.name ?? details.type;
    appLog.warn(`${name} process gone (${details.reason}, exit code ${details.exitCode}).`);
  });
  app.on('render-process-gone', (_event, _webContents, details) => {
    appLog.warn(`a page's process is gone (${details.reason}, exit code ${details.exitCode}).`);
  });
}

/**
 * A GPU process that keeps crashing leaves a black window: relaunch once without hardware
 * acceleration (gpu-crash-policy.ts). Before `ready`: Electron disables acceleration only then, so the
 * relaunched app carries a flag that this reads at its start.
 */
function setupGpuCrashRelaunch(): void {
  const accelerationOff = accelerationOffIn(process.argv);
  if (accelerationOff) {
    app.disableHardwareAcceleration();
    appLog.warn(`hardware acceleration is off for this run (${DISABLE_GPU_FLAG}).`);
  }
  const policy = new GpuCrashPolicy({ accelerationOff });
  app.on('child-process-gone', (_event, details) => {
    const decision = policy.processGone(details);
    if (decision.action !== 'relaunch-without-gpu') return;
    appLog.error(
      `the GPU process crashed ${decision.crashes} times within ${GPU_CRASH_WINDOW_MS / 60_000} minutes: ` +
        'relaunching without hardware acceleration.',
    );
    app.relaunch(relaunchOptions(process.argv));
    // quit, not exit: will-quit still lets the engine release its model; settings are written as they change.
    app.quit();
  });
}

/** Quits with the window, releasing the engine's model before its process ends. */
function setupQuit(): void {
  app.on('window-all-closed', () => app.quit());
  let engineDisposed = false;
  app.on('will-quit', (event) => {
    if (engineDisposed || engine === undefined) return;
    void remote?.close();
    // Hold the quit until the engine has let go of its model (bounded inside close), then quit again.
    event.preventDefault();
    void engine.close().finally(() => {
      engineDisposed = true;
      app.quit();
    });
  });
}

/**
 * Hands `webContents`' page a new port to the engine: at every load of the mirror's page, and after an
 * engine restart. Never to another page (the error page shown after repeated crashes).
 */
function sendFramePort(webContents: WebContents | undefined): void {
  if (webContents === undefined || webContents.isDestroyed()) return;
  // Only our own page gets the engine: never the plain error page shown after repeated crashes.
  if (!isRendererUrl(webContents.getURL())) return;
  // None while the engine is restarting: its restart event hands the page one then.
  const port = engineLauncher?.openFramePort();
  if (port !== undefined) webContents.postMessage(FRAME_PORT_CHANNEL, null, [port]);
}

/**
 * Kiosk mode (`--kiosk` or the setting): plans the window for the chosen display (the primary one when
 * that is gone), keeps the display awake while it runs, follows start-at-login, and follows the
 * settings when the person turns it on or off. Returns the plan and the settings store to hand the
 * control handlers, which tells kiosk mode about every saved change.
 */
function setupKiosk(
  settings: SettingsStore,
  override: true | null,
): { plan: KioskWindowPlan; settings: SettingsStore } {
  const plan = kioskWindowPlan(
    settings.get().kiosk,
    override,
    screen.getAllDisplays(),
    screen.getPrimaryDisplay(),
  );
  if (plan.note !== null) appLog.info(plan.note);
  let blocker: number | undefined;
  const runtime = new KioskRuntime(plan, settings.get(), {
    preventDisplaySleep: (on) => {
      if (on && blocker === undefined) blocker = powerSaveBlocker.start('prevent-display-sleep');
      if (!on && blocker !== undefined) {
        powerSaveBlocker.stop(blocker);
        blocker = undefined;
      }
    },
    setWindowKiosk: (on) => {
      if (mainWindow === undefined || mainWindow.isDestroyed()) return;
      mainWindow.setKiosk(on);
      mainWindow.setFullScreen(on);
    },
    openAtLogin: (on) => {
      if (app.getLoginItemSettings().openAtLogin !== on) app.setLoginItemSettings({ openAtLogin: on });
    },
    displays: connectedDisplays,
    placeOn: (bounds) => {
      if (mainWindow === undefined || mainWindow.isDestroyed()) return;
      // Full screen stays on the display a window is on: leave it, move, and fill the new one.
      mainWindow.setKiosk(false);
      mainWindow.setFullScreen(false);
      mainWindow.setBounds(bounds);
      mainWindow.setKiosk(true);
      mainWindow.setFullScreen(true);
    },
  });
  return {
    plan,
    settings: {
      get: () => settings.get(),
      get warnings() {
        return settings.warnings;
      },
      update: (patch) => {
        const previous = settings.get();
        const next = settings.update(patch);
        runtime.updated(patch, next, previous);
        return next;
      },
    },
  };
}

/** Electron's displays, as kiosk mode reads them. */
function connectedDisplays(): Displays {
  return { all: screen.getAllDisplays(), primary: screen.getPrimaryDisplay() };
}

/** Shows a startup failure to the person (there may be no terminal) and quits. */
function fail(message: string): void {
  appLog.error(message);
  dialog.showErrorBox('Style Mirror cannot start', message);
  app.exit(1);
}

async function start(): Promise<void> {
  await app.whenReady();

  let modelsOverride: string | null;
  let kioskFlag: true | null;
  let remoteOverride: RemoteOverrides;
  try {
    modelsOverride = modelsDirOverride(process.argv.slice(1));
    kioskFlag = kioskOverride(process.argv.slice(1));
    remoteOverride = remoteOverrides(process.argv.slice(1));
  } catch (error) {
    fail((error as Error).message);
    return;
  }
  // Never fails: a damaged file is kept aside, an unwritable folder gives the settings read and a
  // warning, which the page shows the person (settings:warnings).
  const settingsFileStore = new JsonFileSettingsStore(settingsFile(app.getPath('userData')));
  for (const warning of settingsFileStore.warnings) logs.scope('settings').warn(warning);
  const kiosk = setupKiosk(settingsFileStore, kioskFlag);
  // The remote control follows its settings, however they change.
  const settings = watchRemoteSettings(
    kiosk.settings,
    (next) => void remote?.configure(remoteEndpoints(next, remoteOverride)),
  );
  if (modelsOverride !== null) {
    appLog.info(`models from ${modelsOverride} for this run (--models).`);
  }

  // The scheme's handler and the permission handlers exist before the window loads anything.
  setupAppProtocol(RENDERER_DIR);
  setupPermissions(session.defaultSession, ownWindows);

  const engineWarn = logs.scope('engine').warn;
  const log = (message: string): void => {
    lastError.note(message);
    engineWarn(message);
  };
  engineLauncher = new UtilityProcessLauncher(ENGINE_WORKER_PATH, log);
  const engineSupervisor = new EngineSupervisor(engineLauncher, { log });
  engine = engineSupervisor;
  // The dead process's frame ports are gone: the page gets a new one, after the model reload is sent.
  engineSupervisor.onRestart(() => sendFramePort(mainWindow?.webContents));
  engineSupervisor.start();

  const picturesFolder = defaultSnapshotsDir(app.getPath('pictures'));
  const paths = stylemirrorPaths();
  const library = new ModelLibrary({
    bundledDir: bundledModelsDir(app),
    libraryDir: paths.libraryDir,
    // Read on every call: a folder chosen in the settings applies at once, unless --models overrides it.
    userDir: () => modelsOverride ?? settings.get().modelsDir,
  });
  void library.sweepLeftovers().then((removed) => {
    if (removed.length > 0)
      appLog.info(`removed what an interrupted import or delete left: ${removed.join(', ')}`);
  });
  const pages = new PageHub();
  // IPC handlers are registered before the window exists, so the page's first call finds them.
  setupIpc(
    createControlHandlers({
      engine: engineSupervisor,
      library,
      settings,
      displays: () => displayChoices(connectedDisplays()),
      snapshots: new SnapshotFolder(() => settings.get().snapshotsDir ?? picturesFolder, {
        defaultDir: picturesFolder,
      }),
      // Only ever given the snapshots folder, checked to be one (mirror-service.ts): no path from the page.
      openFolder: async (dir) => {
        const error = await shell.openPath(dir);
        if (error !== '') throw new Error(`Could not open the folder ${dir}: ${error}`);
      },
      chooseFolder: async (purpose, current) => {
        if (purpose === 'models' && modelsOverride !== null) {
          throw new Error(
            `This run shows the styles in ${modelsOverride} (--models); start Style Mirror without --models to choose a folder.`,
          );
        }
        return chooseFolderInDialog(mainWindow, purpose, current);
      },
      pickImport: () => pickImportInDialog(mainWindow),
      packs: new PackDownloads({ libraryDir: paths.libraryDir, cacheDir: paths.cacheDir }),
      warn: appLog.warn,
      // One window: its reports are the window's.
      reportPage: (report) => pages.report('window', report),
    }),
    ownWindows,
    logs.scope('guard').warn,
  );
  remote = createRemoteControl({
    settings,
    pages,
    library,
    facts: {
      startedAt,
      engineStatus: () => engineSupervisor.call('status', {}),
      engineHealth: () => engineSupervisor.health,
      // Every process of the app: main, the engine's utility process, the page's, the GPU's.
      processMemory: async () =>
        app.getAppMetrics().map((metric) => ({
          process: metric.serviceName ?? metric.name ?? metric.type,
          pid: metric.pid,
          residentBytes: metric.memory.workingSetSize * 1024,
        })),
      lastError: () => lastError.get(),
    },
    log: logs.scope('remote').warn,
  });
  void remote.configure(remoteEndpoints(settings.get(), remoteOverride));

  const window = createMainWindow(PRELOAD_PATH, ownWindows, kiosk.plan, appLog.error);
  mainWindow = window;
  watchPage(window, logs.scope('page').warn);
  // Every load (the first, a reload, a crash recovery) starts a page whose old port, if any, is gone.
  window.webContents.on('did-finish-load', () => sendFramePort(window.webContents));
  const detachPage = pages.attach('window', (event) => sendMirrorEvent(window.webContents, event));
  window.on('closed', () => {
    detachPage();
    if (mainWindow === window) mainWindow = undefined;
  });
}

// Before `ready`, and before anything awaits: Electron accepts privileged schemes only until then.
registerAppScheme();
// STYLEMIRROR_HOME moves everything the app keeps, Electron's own user data included; before the
// single-instance lock, which lives in the user-data folder (a stick's mirror is its own instance).
const { electronUserDataDir } = stylemirrorPaths();
if (electronUserDataDir !== undefined) app.setPath('userData', electronUserDataDir);
// The log next, so that everything after it is logged: once the user-data folder is settled.
const logs: Logs = openAppLog();
const appLog: Log = logs.scope('app');
if (logs.problem !== null) appLog.warn(logs.problem);
if (setupSingleInstance()) {
  setupGpuCrashRelaunch();
  setupNavigationGuards(logs.scope('guard').warn);
  setupCrashLogging();
  setupQuit();
  start().catch((error: unknown) => fail(`unexpected error while starting: ${String(error)}`));
} else {
  // Another mirror is running and has been asked to come to the front.
  app.quit();
}
