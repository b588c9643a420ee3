/**
 * One stand-in for `electron`, shared by every test of main/app (electron/fiddle keeps its mocks the
 * same way). The real module cannot load outside Electron: `import 'electron'` in Node tries to
 * download the binary. Import this file first in a test, before anything from main/app:
 *
 *     import { electronMock, resetElectronMock } from './electron-mock.js';
 *
 * The fakes record what the code under test registers (IPC handlers, permission handlers, the
 * protocol handler, forked processes) so tests can drive those functions directly.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

let nextWebContentsId = 1;

/** A frame as IPC events and navigation events carry it. */
export interface MockFrame {
  url: string;
  parent: MockFrame | null;
}

export class MockWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  destroyed = false;
  mainFrame: MockFrame = { url: 'app://renderer/index.html', parent: null };
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly postMessage = vi.fn();
  readonly send = vi.fn();
  readonly reload = vi.fn();
  readonly forcefullyCrashRenderer = vi.fn();
  readonly loadURL = vi.fn(async (url: string) => {
    this.mainFrame = { url, parent: null };
  });

  getURL(): string {
    return this.mainFrame.url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class MockBrowserWindow extends EventEmitter {
  static readonly created: MockBrowserWindow[] = [];
  readonly webContents = new MockWebContents();
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly show = vi.fn();
  readonly setKiosk = vi.fn();
  readonly setFullScreen = vi.fn();
  readonly setBounds = vi.fn();

  constructor(readonly options: unknown) {
    super();
    MockBrowserWindow.created.push(this);
  }

  isDestroyed(): boolean {
    return this.webContents.destroyed;
  }

  /** What closing the window does, as far as our code can tell. */
  close(): void {
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class MockMessagePortMain extends EventEmitter {
  readonly postMessage = vi.fn();
  readonly start = vi.fn();
  readonly close = vi.fn();
}

export class MockMessageChannelMain {
  static readonly created: MockMessageChannelMain[] = [];
  readonly port1 = new MockMessagePortMain();
  readonly port2 = new MockMessagePortMain();

  constructor() {
    MockMessageChannelMain.created.push(this);
  }
}

/** A utilityProcess child: tests reply with `emit('message', reply)` and crash it with `emit('exit', code)`. */
export class MockUtilityProcess extends EventEmitter {
  readonly postMessage = vi.fn();
  readonly kill = vi.fn(() => true);

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: unknown,
  ) {
    super();
  }

  /** The messages posted to this child so far, without their ports. */
  get messages(): unknown[] {
    return this.postMessage.mock.calls.map(([message]) => message as unknown);
  }
}

const forked: MockUtilityProcess[] = [];

/** Handlers registered with `ipcMain.handle`, by channel. */
const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
/** Handlers registered with `protocol.handle`, by scheme. */
const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();

const defaultSession = {
  setPermissionRequestHandler: vi.fn(),
  setPermissionCheckHandler: vi.fn(),
  setDevicePermissionHandler: vi.fn(),
};

const paths: Record<string, string> = {
  userData: '/nonexistent/userData',
  pictures: '/nonexistent/Pictures',
};

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getPath: vi.fn((name: string) => {
    const found = paths[name];
    if (found === undefined) throw new Error(`electron-mock: no path "${name}"; set it with setAppPath.`);
    return found;
  }),
  setPath: vi.fn((name: string, value: string) => {
    paths[name] = value;
  }),
  getAppPath: vi.fn(() => process.cwd()),
  getVersion: vi.fn(() => '0.0.0-test'),
  whenReady: vi.fn(async () => undefined),
  quit: vi.fn(),
  exit: vi.fn(),
  requestSingleInstanceLock: vi.fn(() => true),
  getLoginItemSettings: vi.fn(() => ({ openAtLogin: false })),
  setLoginItemSettings: vi.fn(),
  getAppMetrics: vi.fn(
    (): {
      pid: number;
      type: string;
      name?: string;
      serviceName?: string;
      memory: { workingSetSize: number };
    }[] => [],
  ),
  disableHardwareAcceleration: vi.fn(),
  relaunch: vi.fn(),
});

/** One 1920x1080 primary display, unless a test plugs in more. */
const displays = [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }];

/** Everything the tests may reach into. */
export const electronMock = {
  app,
  BrowserWindow: MockBrowserWindow,
  MessageChannelMain: MockMessageChannelMain,
  ipcMain: {
    handle: vi.fn((channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
      if (ipcHandlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcHandlers.set(channel, handler);
    }),
    handlers: ipcHandlers,
    // electron-store registers a sync listener for renderer-side stores, which this app does not use.
    on: vi.fn(),
    removeHandler: vi.fn((channel: string) => void ipcHandlers.delete(channel)),
    removeAllListeners: vi.fn(),
  },
  protocol: {
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
      protocolHandlers.set(scheme, handler);
    }),
    handlers: protocolHandlers,
  },
  session: { defaultSession },
  screen: {
    displays,
    getAllDisplays: vi.fn(() => [...displays]),
    getPrimaryDisplay: vi.fn(() => displays[0]!),
  },
  powerSaveBlocker: { start: vi.fn((_type: string) => 7), stop: vi.fn((_id: number) => undefined) },
  shell: { openPath: vi.fn(async (_path: string) => '') },
  dialog: {
    showErrorBox: vi.fn(),
    /** Cancelled unless a test says otherwise. */
    showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
  },
  // The preload's side.
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: {
    invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => undefined),
    on: vi.fn(),
    off: vi.fn(),
  },
  utilityProcess: {
    fork: vi.fn((modulePath: string, args: string[] = [], options: unknown = {}) => {
      const child = new MockUtilityProcess(modulePath, args, options);
      forked.push(child);
      return child;
    }),
    forked,
  },
};

/** Points `app.getPath(name)` at `dir` (a real temp folder, for the settings tests). */
export function setAppPath(name: string, dir: string): void {
  paths[name] = dir;
}

/** Forgets everything registered and created; call in `beforeEach`. */
export function resetElectronMock(): void {
  vi.clearAllMocks();
  ipcHandlers.clear();
  protocolHandlers.clear();
  forked.length = 0;
  MockBrowserWindow.created.length = 0;
  MockMessageChannelMain.created.length = 0;
  displays.splice(1);
  app.removeAllListeners();
}

vi.mock('electron', () => ({ ...electronMock, default: electronMock }));

// electron-log/main requires the real `electron` (CommonJS, out of the mock's reach): stand in its Node
// logger, which is the same logger class and file transport. Quiet on the terminal; files are real.
vi.mock('electron-log/main', async () => {
  const { default: nodeLog } = await import('electron-log/node');
  const logger = nodeLog.create({ logId: 'electron-mock-main' });
  logger.transports.console.writeFn = () => undefined;
  return { default: logger };
});

// electron-store itself is real: vitest.config.ts inlines it, so its `import electron` gets the mock above.
