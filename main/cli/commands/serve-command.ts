import { stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import {
  defaultSnapshotsDir,
  pageUrl,
  startBrowserServer,
  type BrowserServer,
} from '../../server/browser-server.js';
import { isLoopbackHost } from '../../core/local-http.js';
import { MAX_PAGES, SNAPSHOT_QUOTA } from '../../server/browser-limits.js';
import { DEFAULT_PAGE_PROCESSING_BOX, MAX_PAGE_FRAME } from '../../../common/wire.js';
import { BUNDLED_MODELS_DIR } from '../model-library.js';
import { stylemirrorPaths } from '../../engine/stylemirror-home.js';
import { openNodeLog } from '../../core/log.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** The user's models folder (overrides the settings'). */
  readonly models?: string;
  /** Browser mode's settings file; default `settings.json` in the user's config folder. */
  readonly settings?: string;
  /** The snapshots folder (overrides the settings'); default ~/Pictures/Style Mirror. */
  readonly snapshots?: string;
  /** Pages may add, rename and delete styles and download packs. */
  readonly allowImports?: boolean;
  /** Download style packs from here (a local mirror) instead of their own addresses. */
  readonly packsFrom?: string;
  /** The remote control's HTTP port, OSC port and address (override the settings' `remote`). */
  readonly controlPort?: number;
  readonly oscPort?: number;
  readonly controlHost?: string;
  /** The log file (rotated beside itself); default `serve.log` in the logs folder. */
  readonly logFile?: string;
}

/** The built page, beside the built CLI: dist/main/cli/commands -> dist/renderer. */
export const RENDERER_DIR = fileURLToPath(new URL('../../../renderer/', import.meta.url));

/** Browser mode's settings file: its own, so it never races the Electron app's settings. */
export function defaultSettingsFile(): string {
  return path.join(stylemirrorPaths().configDir, 'settings.json');
}

/** Browser mode's log: `serve.log` in STYLEMIRROR_HOME's `logs` folder, else the platform's. */
export function defaultLogFile(): string {
  return path.join(stylemirrorPaths().logsDir, 'serve.log');
}

/** `--port`: a whole number from 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 (any free port) to 65535.');
  }
  return port;
}

/**
 * `stylemirror serve`: starts browser mode, prints where to open it and what it serves, and stops
 * cleanly on Ctrl-C (SIGINT) or SIGTERM. Resolves once the server is stopped.
 */
export async function serveCommand(
  options: ServeOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const modelsDir =
    options.models === undefined ? undefined : await existingFolder(options.models, '--models');
  const settingsFile = path.resolve(options.settings ?? defaultSettingsFile());
  const snapshotsDir = options.snapshots === undefined ? undefined : path.resolve(options.snapshots);
  const logs = openNodeLog({ file: options.logFile ?? defaultLogFile() });
  // A log the person asked for must be there; the default one is worth a warning, not a refusal.
  if (logs.problem !== null && options.logFile !== undefined) {
    throw new Error(`--log-file: ${logs.problem} Give a file in a folder you can write.`);
  }
  const serveLog = logs.scope('serve');

  const server = await startBrowserServer({
    host: options.host,
    port: options.port,
    rendererDir: RENDERER_DIR,
    settingsFile,
    bundledModelsDir: BUNDLED_MODELS_DIR,
    ...(modelsDir === undefined ? {} : { modelsDir }),
    ...(snapshotsDir === undefined ? {} : { snapshotsDir }),
    allowImports: options.allowImports === true,
    ...(options.packsFrom === undefined ? {} : { packsBaseUrl: options.packsFrom }),
    remote: {
      ...(options.controlHost === undefined ? {} : { host: options.controlHost }),
      ...(options.controlPort === undefined ? {} : { httpPort: options.controlPort }),
      ...(options.oscPort === undefined ? {} : { oscPort: options.oscPort }),
    },
    log: logs.scope('server').warn,
    engineLog: logs.scope('engine').warn,
  });
  printBanner(
    server,
    options,
    { modelsDir, settingsFile, snapshotsDir, logFile: logs.file, logProblem: logs.problem },
    log,
  );
  // Never the address itself: beyond loopback it carries the access token.
  serveLog.info(`serving on ${options.host}, port ${server.port}; settings ${settingsFile}`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping Style Mirror…`);
      serveLog.info(`stopping (${signal})`);
      server.close().then(
        () => {
          serveLog.info('stopped');
          log('Stopped.');
          resolve();
        },
        (error: unknown) => {
          serveLog.error(`stopped, with an error on the way: ${(error as Error).message}`);
          log(`Stopped, with an error on the way: ${(error as Error).message}`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function printBanner(
  server: BrowserServer,
  options: ServeOptions,
  where: {
    modelsDir: string | undefined;
    settingsFile: string;
    snapshotsDir: string | undefined;
    logFile: string;
    logProblem: string | null;
  },
  log: (line: string) => void,
): void {
  log('Style Mirror is serving the mirror to your browser. Open:');
  log(`  ${server.url}`);
  if (!isLoopbackHost(options.host)) {
    for (const url of lanUrls(options.host, server.port, server.token)) log(`  ${url}`);
    log('It listens beyond this machine: anyone who has the address, token included, can use the mirror.');
    log(
      'Browsers open the camera only on localhost or https://, so on another machine open it through a tunnel ' +
        `(ssh -L ${server.port}:localhost:${server.port} …) and use the localhost address.`,
    );
  }
  log(`Page:      ${RENDERER_DIR}`);
  log(`Models:    ${BUNDLED_MODELS_DIR} (bundled)`);
  log(
    `           ${stylemirrorPaths().libraryDir} (the style library; ${options.allowImports === true ? 'pages may add, rename and delete styles' : 'read-only to pages: --allow-imports lets them add styles'})`,
  );
  log(
    `           ${where.modelsDir ?? "the settings' models folder, if any (pages cannot change it: give --models DIR)"}`,
  );
  log(`Settings:  ${where.settingsFile}`);
  log(`Snapshots: ${where.snapshotsDir ?? `the settings' folder, else ${defaultSnapshotsDir()}`}`);
  log(
    `Log:       ${where.logProblem === null ? where.logFile : `${where.logProblem} Logging to this terminal only.`}`,
  );
  const box = DEFAULT_PAGE_PROCESSING_BOX;
  log(
    `Limits:    ${MAX_PAGES} pages at once; frames up to ${MAX_PAGE_FRAME.pixels} pixels (1920x1080), ` +
      `processed at most ${box.width}x${box.height}; ${SNAPSHOT_QUOTA.files} snapshots per run.`,
  );
  log('Press Ctrl-C to stop.');
}

/** Addresses other machines may reach a wildcard or LAN host on. */
function lanUrls(host: string, port: number, token: string | null): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && (a.family === 'IPv4' || host === '::'))
    .map((a) => pageUrl(a!.address, port, token));
}

async function existingFolder(dir: string, option: string): Promise<string> {
  const resolved = path.resolve(dir);
  try {
    if ((await stat(resolved)).isDirectory()) return resolved;
  } catch {
    // Said below.
  }
  throw new Error(`${option}: ${resolved} is not a folder. Give the folder that holds your model folders.`);
}
