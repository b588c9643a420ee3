/**
 * Browser mode: the mirror's page and its engine over HTTP and one WebSocket, for a browser on this
 * machine (or, with a token, on the local network) instead of the Electron window.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, urlHost } from '../core/local-http.js';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_PAGE_FRAME,
  MAX_PAGE_SNAPSHOT_BYTES,
  TOKEN_PARAM,
  WIRE_PATH,
} from '../../common/wire.js';
import { createControlHandlers } from '../core/mirror-service.js';
import { ModelLibrary } from '../core/model-library.js';
import { PackDownloads } from '../core/pack-downloads.js';
import { stylemirrorPaths } from '../engine/stylemirror-home.js';
import { JsonFileSettingsStore } from '../core/settings/settings-file-store.js';
import { SnapshotFolder } from '../core/snapshots.js';
import { startWorkerEngine } from '../engine/worker/worker-thread-launcher.js';
import { EngineSupervisor } from '../engine/engine-supervisor.js';
import { PageHub } from '../core/remote/page-hub.js';
import {
  createRemoteControl,
  RemoteControl,
  remoteEndpoints,
  watchRemoteSettings,
  type RemoteOverrides,
} from '../core/remote/remote-control.js';
import { LastError } from '../core/remote/status-document.js';
import type { EngineCaller } from '../../common/engine-protocol.js';
import { createAccessGuard } from './access-guard.js';
import { browserModeHandlers } from './browser-handlers.js';
import { MAX_PAGES, SNAPSHOT_QUOTA } from './browser-limits.js';
import { createPathScrubber } from './path-scrubber.js';
import { securityHeaders } from './security-headers.js';
import { resolveStaticFile, sendStaticFile } from './static-files.js';
import { serveWireConnection } from './wire-connection.js';

/** An engine the server owns: it closes it on shutdown. */
export type ServerEngine = EngineCaller & { close(): Promise<void> };

export interface BrowserServerOptions {
  /** Address to listen on; default 127.0.0.1. Anything beyond loopback requires the printed token. */
  readonly host?: string;
  /** Port; default 0, a free one. */
  readonly port?: number;
  /** The built renderer (dist/renderer), with its index.html. */
  readonly rendererDir: string;
  /** Browser mode's settings file (created on the first change). */
  readonly settingsFile: string;
  /** The models that ship with the app. */
  readonly bundledModelsDir: string;
  /** The style library (imported and downloaded models); default: STYLEMIRROR_HOME's or the user's. */
  readonly libraryDir?: string;
  /** The user's models folder; overrides the one in the settings. */
  readonly modelsDir?: string;
  /**
   * Whether pages may import, rename and delete styles and download packs into the library (`serve
   * --allow-imports`). Off by default: on a LAN the library belongs to whoever started `serve`.
   */
  readonly allowImports?: boolean;
  /** Where style packs are downloaded from instead of their own addresses (tests, a local mirror). */
  readonly packsBaseUrl?: string;
  /** Where snapshots go; overrides the settings' folder, which defaults to ~/Pictures/Style Mirror. */
  readonly snapshotsDir?: string;
  /** The engine; default a supervised worker thread ({@link startWorkerEngine}). The server closes it. */
  readonly engine?: ServerEngine;
  /** Warnings and problems, one line each; default console.error. */
  readonly log?: (line: string) => void;
  /** The remote control's endpoints from the command line, over the settings' `remote` group. */
  readonly remote?: RemoteOverrides;
  /** The default engine's crashes, hangs and restarts, one line each; default `log`, marked `style engine:`. */
  readonly engineLog?: (line: string) => void;
}

export interface BrowserServer {
  /** The page's address, with `?token=` when one is needed; for a wildcard host, via localhost. */
  readonly url: string;
  /** The access token, or null on loopback. */
  readonly token: string | null;
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** The remote control (HTTP and OSC listeners, off unless a port is set). */
  readonly remote: RemoteControl;
  /** Closes every connection, the remote control and the engine. */
  close(): Promise<void>;
}

/** Where snapshots go when neither the options nor the settings name a folder. */
export function defaultSnapshotsDir(): string {
  return path.join(os.homedir(), 'Pictures', 'Style Mirror');
}

/** Starts the server; resolves once it listens. */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const startedAt = Date.now();
  const host = options.host ?? '127.0.0.1';
  const lastError = new LastError();
  const printLine = options.log ?? ((line: string) => console.error(line));
  // Every line is a warning or a problem: the status document shows the last one.
  const log = (line: string): void => {
    lastError.note(line);
    printLine(line);
  };
  let prepared: { rendererRoot: string; settings: JsonFileSettingsStore };
  try {
    prepared = await prepare(options, log);
  } catch (error) {
    // The server owns a given engine from the start: a failed start must not leave its worker running.
    await options.engine?.close();
    throw error;
  }
  const { rendererRoot } = prepared;
  const pages = new PageHub();
  // The remote control follows its settings, however they change (only once it exists: no request
  // is read before it does).
  const settings = watchRemoteSettings(prepared.settings, (next) => {
    void remote.configure(remoteEndpoints(next, options.remote));
  });

  const engine =
    options.engine ??
    startWorkerEngine({ log: options.engineLog ?? ((message) => log(`style engine: ${message}`)) });
  const libraryDir = options.libraryDir ?? stylemirrorPaths().libraryDir;
  const modelsDir = (): string | null => options.modelsDir ?? settings.get().modelsDir;
  const snapshotsDir = (): string =>
    options.snapshotsDir ?? settings.get().snapshotsDir ?? defaultSnapshotsDir();
  const library = new ModelLibrary({
    bundledDir: options.bundledModelsDir,
    libraryDir: libraryDir,
    userDir: modelsDir,
  });
  void library.sweepLeftovers().then((removed) => {
    if (removed.length > 0) log(`removed what an interrupted import or delete left: ${removed.join(', ')}`);
  });
  const handlers = browserModeHandlers(
    createControlHandlers({
      engine,
      library,
      settings,
      // The page snapshots its display canvas, which is at most as big as a frame it may send.
      snapshots: new SnapshotFolder(snapshotsDir, {
        limits: {
          maxSide: MAX_PAGE_FRAME.side,
          maxPixels: MAX_PAGE_FRAME.pixels,
          maxBytes: MAX_PAGE_SNAPSHOT_BYTES,
        },
        quota: SNAPSHOT_QUOTA,
        // Made when missing: the default or --snapshots; a folder found in the settings must exist.
        defaultDir: options.snapshotsDir ?? defaultSnapshotsDir(),
        howToChoose: 'Start `stylemirror serve` with --snapshots DIR to use another folder.',
      }),
      warn: log,
      libraryChanges: options.allowImports === true,
      packs: new PackDownloads({
        libraryDir,
        cacheDir: stylemirrorPaths().cacheDir,
        ...(options.packsBaseUrl === undefined ? {} : { baseUrl: options.packsBaseUrl }),
      }),
    }),
  );
  const scrubPaths = createPathScrubber([
    { path: modelsDir, name: '<models folder>' },
    { path: () => options.bundledModelsDir, name: '<bundled models>' },
    { path: () => libraryDir, name: '<style library>' },
    { path: snapshotsDir, name: '<snapshots folder>' },
    { path: () => path.dirname(options.settingsFile), name: '<settings folder>' },
    { path: () => options.rendererDir, name: '<page folder>' },
  ]);

  const server = createServer();
  // No compression: a small compressed message could inflate to maxPayload, and frames barely compress.
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  try {
    await listen(server, host, options.port ?? 0);
  } catch (error) {
    await engine.close();
    throw new Error(
      `Could not listen on ${urlHost(host)}:${options.port ?? 0}: ${(error as Error).message}. ` +
        'Choose another --port or --host.',
    );
  }
  // The guard needs the real port (for the Host check), so requests are wired up only now: Node
  // parses no request before this synchronous continuation of listen() has run.
  const port = (server.address() as AddressInfo).port;
  const guard = createAccessGuard({ host, port });
  const remote = createRemoteControl({
    settings,
    pages,
    library,
    facts: {
      startedAt,
      engineStatus: () => engine.call('status', {}),
      ...(engine instanceof EngineSupervisor ? { engineHealth: () => engine.health } : {}),
      processMemory: async () => [
        { process: 'server', pid: process.pid, residentBytes: process.memoryUsage().rss },
      ],
      memoryNotes: [
        "engine: a worker thread of the server's process, counted in the server's memory",
        "pages: the browsers' processes are not the server's, and are not measured",
      ],
      lastError: () => lastError.get(),
    },
    log: printLine,
  });
  const problems = await remote.configure(remoteEndpoints(settings.get(), options.remote));
  // A port given on the command line is what the person asked for: not getting it stops the start,
  // as --port does. A port from the settings only logs: the mirror itself still works.
  const refused =
    (options.remote?.httpPort === undefined ? undefined : problems.http) ??
    (options.remote?.oscPort === undefined ? undefined : problems.osc);
  if (refused !== undefined) {
    await remote.close();
    await new Promise((resolve) => server.close(resolve));
    await engine.close();
    throw new Error(refused);
  }

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const headers = securityHeaders(request.headers.host);
    const refusal = guard.check(request, 'http');
    if (refusal !== null) return sendText(response, 403, refusal.reason, headers);
    const outcome = await resolveStaticFile(rendererRoot, request);
    if (outcome.kind === 'error') return sendText(response, outcome.status, outcome.message, headers);
    const cookie = guard.tokenCookie(request);
    sendStaticFile(
      request,
      response,
      outcome,
      cookie === undefined ? headers : { ...headers, 'set-cookie': cookie },
    );
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handleRequest(request, response).catch((error: unknown) => {
      log(`browser mode: ${request.url ?? ''}: ${(error as Error).message}`);
      if (!response.headersSent) sendText(response, 500, 'Internal error.', {});
      else response.destroy();
    });
  });

  let pagesServed = 0;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = pathOf(request);
    if (pathname !== WIRE_PATH) {
      return refuseUpgrade(socket, 404, `No WebSocket at ${pathname}; use ${WIRE_PATH}.`);
    }
    const refusal = guard.check(request, 'upgrade');
    if (refusal !== null) return refuseUpgrade(socket, 403, refusal.reason);
    // Exact: ws adds a socket to `clients` within handleUpgrade, and removes it once closed.
    if (sockets.clients.size >= MAX_PAGES) {
      return refuseUpgrade(
        socket,
        503,
        `Style Mirror serves at most ${MAX_PAGES} pages at once; close one and reload.`,
      );
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const pageId = `page-${++pagesServed}`;
      const connection = serveWireConnection(ws, {
        engine,
        // Each page's report is kept as its own.
        handlers: {
          ...handlers,
          'mirror:report': async (report) => {
            pages.report(pageId, report);
            return {};
          },
        },
        log,
        scrubPaths,
      });
      ws.once('close', pages.attach(pageId, connection.push));
    });
  });

  const token = guard.token;
  let closing: Promise<void> | undefined;
  return {
    url: pageUrl(host, port, token),
    token,
    port,
    remote,
    close: () =>
      (closing ??= (async () => {
        await remote.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        // Browsers keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        await closed;
        await engine.close();
      })()),
  };
}

/** Checks the built page and loads the settings: what must be right before anything starts. */
async function prepare(
  options: BrowserServerOptions,
  log: (line: string) => void,
): Promise<{ rendererRoot: string; settings: JsonFileSettingsStore }> {
  if (!existsSync(path.join(options.rendererDir, 'index.html'))) {
    throw new Error(
      `No built page in ${options.rendererDir} (index.html is missing). Run \`npm run build\` first.`,
    );
  }
  const rendererRoot = await realpath(options.rendererDir);
  // A settings file that cannot be recovered stops the start with its own message.
  const settings = new JsonFileSettingsStore(options.settingsFile);
  if (settings.recovery.setAside !== undefined) {
    log(`Style Mirror: the settings file was damaged; kept it as ${settings.recovery.setAside}.`);
  }
  for (const line of settings.recovery.repaired) log(`Style Mirror: ${line}`);
  return { rendererRoot, settings };
}

/** The page's address for `host`: a wildcard address is reached as localhost on this machine. */
export function pageUrl(host: string, port: number, token: string | null): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : urlHost(host);
  return `http://${shown}:${port}/${token === null ? '' : `?${TOKEN_PARAM}=${token}`}`;
}

/** The request's path, or '' for an address that does not parse. */
function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://x').pathname;
  } catch {
    return '';
  }
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(`${text}\n`);
}

const STATUS_TEXT = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' } as const;

function refuseUpgrade(socket: Duplex, status: keyof typeof STATUS_TEXT, reason: string): void {
  const statusText = STATUS_TEXT[status];
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
