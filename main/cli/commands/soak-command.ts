/**
 * `stylemirror soak --minutes M [--out DIR]`: the mirror left running, as at an exhibition. Browser mode
 * in this process (the real server and its engine worker thread), headless Chromium with the fake
 * camera playing the fox video, the → key pressed every few seconds as a visitor would. Once a second
 * it samples every process's memory and the page's frames to a CSV; at the end it plots the run,
 * prints a summary and fails when memory kept growing after the warm-up or the picture froze.
 */
import { accessSync, constants, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { writeSettingsFile } from '../../core/settings/settings-file-store.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../common/settings-schema.js';
import type { BackendChoice, Size } from '../../../common/engine-types.js';
import { startBrowserServer } from '../../server/browser-server.js';
import { BUNDLED_MODELS_DIR } from '../model-library.js';
import { parseBackend, parseSize } from '../parse-options.js';
import { benchModelFolders, fakeCamera } from '../shared-data.js';
import { EngineThreadProbe, type EngineThreadReading } from '../soak/engine-thread-probe.js';
import { readPage, type PageReading } from '../soak/page-watch.js';
import { procAvailable, readChromiumMemory, type ChromiumMemory } from '../soak/process-memory.js';
import {
  csvLine,
  csvRecord,
  EVENT_COLUMNS,
  SOAK_COLUMNS,
  type SoakEvent,
  type SoakRow,
} from '../soak/soak-csv.js';
import { soakPlotSvg } from '../soak/soak-plot.js';
import { summaryLine, summaryParts, summaryTable } from '../soak/soak-summary.js';
import { judgeSoak, soakLimits, type SoakLimits, type SoakVerdict } from '../soak/soak-verdict.js';
import { HeadlessChromium, type HeadlessPage } from './headless-chromium.js';
import { RENDERER_DIR } from './serve-command.js';

export interface SoakOptions {
  /** How long to sample after the first frame: exactly one of the two. */
  readonly minutes?: number;
  readonly seconds?: number;
  /** Where the files go; default out/soak-<time> in the working folder. */
  readonly out?: string;
  /** Seconds between presses of →; 0: the style never changes. */
  readonly every: number;
  /** The processing size: small, so that the engine keeps up on a shared CPU. */
  readonly size: Size;
  /** Override the warm-up (seconds) and the memory bound (percent); see soakLimits for the defaults. */
  readonly warmup?: number;
  readonly maxGrowth?: number;
  /** A folder of ml5 model folders, and the style to start with (a folder name in it, or a path). */
  readonly models?: string;
  readonly model?: string;
  readonly backend: BackendChoice;
  readonly chromium: string;
  /** The built page; default dist/renderer. */
  readonly rendererDir?: string;
}

export interface SoakReport {
  readonly verdict: SoakVerdict;
  readonly outDir: string;
  readonly files: {
    readonly csv: string;
    readonly events: string;
    readonly svg: string;
    readonly summary: string;
  };
  readonly summary: string;
}

/** The soak's defaults: 128x96 keeps a 2-core CPU's engine at several frames a second. */
export const SOAK_SIZE: Size = { width: 128, height: 96 };
export const SOAK_EVERY_S = 5;
/** Longest wait for the first painted frame (the first model load included). */
const FIRST_FRAME_TIMEOUT_MS = 90_000;
/** A page that does not answer within this leaves its cells empty for the sample (its frame age still counts). */
const PAGE_READ_TIMEOUT_MS = 2000;
/** Shortest run that leaves a warm-up and two windows worth comparing. */
const MIN_SECONDS = 30;

/** Adds `stylemirror soak` to the CLI. */
export function registerSoakCommand(program: Command): void {
  program
    .command('soak')
    .description(
      'run browser mode with the fake camera and changing styles for a long time; sample memory and frames ' +
        'once a second (CSV), plot them (SVG), and fail if memory keeps growing or the picture freezes',
    )
    .option('--minutes <m>', 'how long to sample after the first frame', positiveNumber)
    .option('--seconds <s>', `the same in seconds (at least ${MIN_SECONDS}; for tests)`, positiveNumber)
    .option('--out <dir>', 'folder for soak.csv, events.csv, soak.svg, summary.txt (default out/soak-<time>)')
    .option(
      '--every <s>',
      'seconds between presses of → (next style); 0: keep the first style',
      nonNegativeNumber,
      SOAK_EVERY_S,
    )
    .addOption(
      new Option('--size <WxH>', 'processing size').default(SOAK_SIZE, size(SOAK_SIZE)).argParser(parseSize),
    )
    .option(
      '--warmup <s>',
      'seconds not judged at the start (default 20% of the run, at most 60)',
      nonNegativeNumber,
    )
    .option(
      '--max-growth <percent>',
      'memory growth bound (default 5% for 10 min or more, looser below)',
      positiveNumber,
    )
    .option(
      '--models <dir>',
      'folder of ml5 model folders (default STYLEMIRROR_MODELS, ../shared/models/ml5)',
    )
    .option('--model <name|dir>', 'the style to start with (default the first in the folder)')
    .addOption(
      new Option('-b, --backend <name>', 'auto, ort or tfjs').default('auto').argParser(parseBackend),
    )
    .option('--chromium <path>', 'the Chromium to drive', '/usr/bin/chromium')
    .action(async (opts: SoakOptions) => {
      const report = await soakCommand(opts);
      if (!report.verdict.ok) process.exitCode = 1;
    });
}

/** Runs the soak, writes its files and prints the summary; the verdict says whether it passed. */
export async function soakCommand(
  options: SoakOptions,
  log: (line: string) => void = console.log,
): Promise<SoakReport> {
  const durationS = soakSeconds(options);
  // Checked now, so that a warm-up that does not fit fails before anything starts.
  const limits = limitsFor(durationS, options);
  if (!Number.isFinite(options.every) || options.every < 0) {
    throw new Error('--every must be a number of seconds, 0 or more.');
  }
  const outDir = path.resolve(
    options.out ?? path.join('out', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  const files = {
    csv: path.join(outDir, 'soak.csv'),
    events: path.join(outDir, 'events.csv'),
    svg: path.join(outDir, 'soak.svg'),
    summary: path.join(outDir, 'summary.txt'),
  };
  // A folder that already holds a run keeps it: nothing is overwritten.
  const taken = Object.values(files).filter((file) => existsSync(file));
  if (taken.length > 0) {
    throw new Error(
      `${outDir} already holds a soak run (${taken.map((f) => path.basename(f)).join(', ')}). Give another --out.`,
    );
  }
  if (!isExecutable(options.chromium)) {
    throw new Error(
      `No Chromium to run at ${options.chromium}. Install Debian's chromium (scripts/install-chromium.sh) or give --chromium PATH.`,
    );
  }
  if (!(await procAvailable())) {
    throw new Error('The soak reads each process’s memory from /proc, so it runs on Linux only.');
  }
  const {
    modelsDir,
    folders: [firstStyle],
  } = await benchModelFolders(options);
  await mkdir(outDir, { recursive: true });

  const camera = fakeCamera();
  log(
    `Soak: ${durationS} s of browser mode after the first frame, ${firstStyle} first, → every ${options.every} s, ` +
      `${size(options.size)}, camera ${camera.source}. Files in ${outDir}.`,
  );

  const run = await soakInBrowserMode({
    options,
    modelsDir,
    firstStyle,
    cameraArgs: camera.args,
    durationS,
    csvFile: files.csv,
    log,
  });

  await writeFile(
    files.events,
    [csvLine(EVENT_COLUMNS), ...run.events.map((event) => csvRecord(event, EVENT_COLUMNS))].join('\n') + '\n',
    { flag: 'wx' },
  );
  // A run stopped early is judged as a run of the length it had: its own warm-up and windows.
  const verdict = judgeSoak(
    run.rows,
    run.events,
    run.stoppedEarly ? limitsFor(Math.max(1, run.rows.at(-1)?.t_s ?? 0), options, true) : limits,
  );
  const machine = `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${process.platform} ${process.arch}, Node ${process.versions.node}, Chromium ${run.chromiumVersion}`;
  const setting = {
    machine,
    engine: run.backend ?? 'unknown (the HUD showed no backend)',
    firstStyle,
    everyS: options.every,
    size: size(options.size),
    stoppedEarly: run.stoppedEarly,
  };
  const svg = await soakPlotSvg(run.rows, run.events, verdict, {
    title: `Style Mirror soak: ${(verdict.durationS / 60).toFixed(1)} min, ${verdict.ok ? 'PASS' : 'FAIL'}`,
    subtitle: [
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine}`,
      `engine ${setting.engine} · ${firstStyle} first, → every ${options.every} s · processing size ${setting.size} · camera ${path.basename(camera.source)}`,
      ...((parts) => [parts[0]!, parts.slice(1).join('; ')])(summaryParts(verdict)),
    ],
  });
  await writeFile(files.svg, svg, { flag: 'wx' });
  // Inside the working folder, as a relative path: a summary kept with its files reads the same anywhere.
  const shown = (file: string) =>
    path.relative('.', file).startsWith('..') ? file : path.relative('.', file);
  const table = summaryTable(verdict, setting, Object.values(files).map(shown));
  await writeFile(files.summary, table.join('\n') + '\n', { flag: 'wx' });
  log('');
  for (const line of table) log(line);
  return { verdict, outDir, files, summary: summaryLine(verdict) };
}

/** Browser mode in this process, the page in headless Chromium with the fake camera, sampled until the end. */
async function soakInBrowserMode(run: {
  readonly options: SoakOptions;
  readonly modelsDir: string;
  readonly firstStyle: string;
  /** Chromium switches for the fake camera's source. */
  readonly cameraArgs: readonly string[];
  readonly durationS: number;
  readonly csvFile: string;
  readonly log: (line: string) => void;
}): Promise<SamplingRun & { readonly chromiumVersion: string }> {
  const { options, modelsDir, firstStyle, durationS, log } = run;
  const temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-soak-'));
  // Before the server starts its engine thread, so that the inspector attaches to it from its start.
  const probe = new EngineThreadProbe((url) => url.endsWith('/engine-worker.js'));
  await probe.start();
  try {
    const settingsFile = path.join(temp, 'settings.json');
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      processingSize: options.size,
      lastModelId: `user:${firstStyle}`,
      camera: { deviceId: null, width: 320, height: 240 },
      backend: options.backend,
    };
    writeSettingsFile(settingsFile, settings);
    const server = await startBrowserServer({
      rendererDir: options.rendererDir ?? RENDERER_DIR,
      settingsFile,
      snapshotsDir: path.join(temp, 'snapshots'),
      bundledModelsDir: BUNDLED_MODELS_DIR,
      modelsDir,
      log,
    });
    try {
      const chromium = await HeadlessChromium.launchWithFakeCamera({
        executable: options.chromium,
        userDataDir: path.join(temp, 'chromium-profile'),
        cameraArgs: run.cameraArgs,
      });
      try {
        const chromiumVersion = await chromium.version();
        const page = await chromium.openPage(server.url);
        await waitForFirstFrame(page);
        log('First frame shown; sampling once a second (Ctrl-C stops early and still writes the results)…');
        const sampled = await sampleRun({
          page,
          chromiumPid: chromium.pid!,
          probe,
          durationS,
          everyS: options.every,
          csvFile: run.csvFile,
          log,
        });
        return { ...sampled, chromiumVersion };
      } finally {
        await chromium.close();
      }
    } finally {
      await server.close();
    }
  } finally {
    probe.close();
    await rm(temp, { recursive: true, force: true });
  }
}

/** The limits for a run of `durationS` seconds with the options' warm-up and bound. */
function limitsFor(durationS: number, options: SoakOptions, stoppedEarly = false): SoakLimits {
  const { warmup, maxGrowth } = options;
  // A given warm-up that a run stopped early did not outlast gives way to the default.
  const keepWarmup = warmup !== undefined && !(stoppedEarly && warmup >= durationS);
  return soakLimits(durationS, {
    ...(keepWarmup ? { warmupS: warmup } : {}),
    ...(maxGrowth === undefined ? {} : { maxGrowth: maxGrowth / 100 }),
  });
}

function soakSeconds(options: SoakOptions): number {
  if ((options.minutes === undefined) === (options.seconds === undefined)) {
    throw new Error('Give how long to run: --minutes M (or --seconds S), one of the two.');
  }
  const seconds = options.seconds ?? options.minutes! * 60;
  if (!Number.isFinite(seconds) || seconds < MIN_SECONDS || seconds > 7 * 24 * 3600) {
    throw new Error(`A soak runs from ${MIN_SECONDS} seconds to a week; ${seconds} s is outside that.`);
  }
  return Math.round(seconds);
}

interface SamplingRun {
  readonly rows: SoakRow[];
  readonly events: SoakEvent[];
  /** The HUD's backend line, as last read. */
  readonly backend: string | null;
  readonly stoppedEarly: boolean;
}

/** A page reading with this process's clock at the moment the page read its own. */
interface TimedReading {
  readonly reading: PageReading | null;
  readonly atS: number;
}

/**
 * Samples once a second, at t = 0, 1, … durationS seconds after the start (a sample that runs late
 * does not push the later ones back: the rows stay one per planned second), and presses → right after a
 * sample once `everyS` seconds have passed since the last press, and only once the last switch has
 * shown its style: with one switch in flight at a time each frame-less moment is attributed to the
 * switch that caused it (the page's switcher keeps only the latest of several quick presses).
 */
async function sampleRun(run: {
  readonly page: HeadlessPage;
  readonly chromiumPid: number;
  readonly probe: EngineThreadProbe;
  readonly durationS: number;
  readonly everyS: number;
  /** Written row by row, so that a run cut short keeps what it sampled. */
  readonly csvFile: string;
  readonly log: (line: string) => void;
}): Promise<SamplingRun> {
  const { page, probe, log } = run;
  const csv = createWriteStream(run.csvFile, { flags: 'wx' });
  const rows: SoakRow[] = [];
  const gaps: SoakEvent[] = [];
  const switches: { start_s: number; end_s: number | null; style: string }[] = [];
  let backend: string | null = null;
  let newestFrameS: number | null = null;
  let style = '';
  let previousT = 0;
  let nextPressS = run.everyS;
  let pendingRead: Promise<TimedReading> | undefined;
  let pageTrouble: string | undefined;

  const start = performance.now();
  const nowS = () => (performance.now() - start) / 1000;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  csv.write(csvLine(SOAK_COLUMNS) + '\n');
  try {
    for (let i = 0; i <= run.durationS && !stop.signal.aborted; i++) {
      await sleepUntil(start + i * 1000, stop.signal);
      if (stop.signal.aborted) break;
      const t = nowS();
      pendingRead ??= timedRead(page, nowS).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== pageTrouble) log(`  t ${t.toFixed(0)} s: could not read the page: ${message}`);
        pageTrouble = message;
        return { reading: null, atS: nowS() };
      });
      const [read, chromiumMemory, engine] = await Promise.all([
        withTimeout(pendingRead, PAGE_READ_TIMEOUT_MS),
        readChromiumMemory(run.chromiumPid).catch(() => null),
        probe.read(),
      ]);
      // A read still under way is kept for the next sample: what the page collected is not lost.
      if (read !== undefined) pendingRead = undefined;
      const reading = read?.reading ?? null;
      if (reading !== null && read !== undefined) {
        const toSoakS = (pageMs: number) => round3(read.atS + (pageMs - reading.now) / 1000);
        if (reading.lastDisplayedAt !== null) newestFrameS = toSoakS(reading.lastDisplayedAt);
        style = reading.style ?? '';
        backend = reading.backend ?? backend;
        for (const shown of reading.stylesShown) {
          const shownS = toSoakS(shown.at);
          for (const pressed of switches) {
            if (pressed.end_s === null && pressed.start_s <= shownS)
              Object.assign(pressed, { end_s: shownS, style: shown.style });
          }
        }
        for (const gap of reading.gaps) {
          gaps.push({
            kind: 'gap',
            start_s: toSoakS(gap.from),
            end_s: toSoakS(gap.to),
            style: gap.style ?? '',
            resting: gap.resting ? 1 : 0,
          });
        }
      }
      const switching = switches.some((pressed) => pressed.end_s === null);
      // The row says whether a switch took some of the time since the previous sample.
      const switched = switches.some((pressed) => pressed.end_s === null || pressed.end_s > previousT);
      const row = soakRow({
        t,
        style,
        switching: switched,
        reading,
        newestFrameS,
        chromiumMemory,
        engine,
        backend,
      });
      rows.push(row);
      csv.write(csvRecord(row, SOAK_COLUMNS) + '\n');
      previousT = t;

      if (run.everyS > 0 && t >= nextPressS && !switching && i < run.durationS) {
        const pressedS = round3(nowS());
        try {
          await page.pressKey('ArrowRight');
          switches.push({ start_s: pressedS, end_s: null, style: '' });
          nextPressS = pressedS + run.everyS;
        } catch (error) {
          log(
            `  t ${t.toFixed(0)} s: could not press →: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    await new Promise((resolve) => csv.end(resolve));
  }
  const events: SoakEvent[] = [
    ...switches.map((pressed): SoakEvent => ({ kind: 'switch', ...pressed, resting: 0 })),
    ...gaps,
  ].sort((a, b) => a.start_s - b.start_s);
  return { rows, events, backend, stoppedEarly: stop.signal.aborted };
}

const MIB = 1024 * 1024;

function soakRow(sample: {
  readonly t: number;
  readonly style: string;
  readonly switching: boolean;
  readonly reading: PageReading | null;
  readonly newestFrameS: number | null;
  readonly chromiumMemory: ChromiumMemory | null;
  readonly engine: EngineThreadReading | null;
  readonly backend: string | null;
}): SoakRow {
  const { reading, chromiumMemory: chromium, engine } = sample;
  const memory = process.memoryUsage();
  const kib = (value: number | null | undefined) => (value == null ? null : round1(value / 1024));
  return {
    t_s: round3(sample.t),
    style: sample.style,
    switching: sample.switching ? 1 : 0,
    server_rss_mib: round1(memory.rss / MIB),
    server_heap_mib: round1(memory.heapUsed / MIB),
    engine_heap_mib: engine === null ? null : round1(engine.heapUsedBytes / MIB),
    // tfjs-core is loaded in the engine thread whatever the backend; its count means something only where tfjs runs.
    engine_tf_tensors: sample.backend?.startsWith('tfjs') === true ? (engine?.tfTensors ?? null) : null,
    chromium_browser_rss_mib: kib(chromium?.browserKiB),
    chromium_renderer_rss_mib: kib(chromium?.rendererKiB),
    chromium_renderers: chromium?.renderers ?? null,
    chromium_gpu_rss_mib: kib(chromium?.gpuKiB),
    chromium_other_rss_mib: kib(chromium?.otherKiB),
    chromium_others: chromium?.others ?? null,
    displayed_fps: reading?.displayedFps ?? null,
    displayed_frames: reading?.displayedFrames ?? null,
    // From the newest frame known: a page that stops answering still ages.
    frame_age_ms:
      sample.newestFrameS === null ? null : Math.max(0, Math.round((sample.t - sample.newestFrameS) * 1000)),
    longest_gap_ms: reading?.longestGapMs == null ? null : Math.round(reading.longestGapMs),
  };
}

/** Reads the page, noting this process's clock halfway through the round trip. */
async function timedRead(page: HeadlessPage, nowS: () => number): Promise<TimedReading> {
  const before = nowS();
  const reading = await readPage(page);
  return { reading, atS: (before + nowS()) / 2 };
}

async function waitForFirstFrame(page: HeadlessPage): Promise<void> {
  const deadline = performance.now() + FIRST_FRAME_TIMEOUT_MS;
  while (performance.now() < deadline) {
    // The page may still be loading: a failed read is a "not yet".
    const reading = await readPage(page).catch(() => null);
    if ((reading?.displayedFrames ?? 0) > 0) return;
    await sleepUntil(performance.now() + 250);
  }
  throw new Error(
    `The page showed no stylized frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s.` +
      (page.errors.length > 0 ? ` Page errors: ${page.errors.join('; ')}` : ''),
  );
}

function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, at - performance.now()));
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The promise's value, or undefined if it takes longer than `ms` (it keeps running). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('expected a number above 0.');
  return number;
}

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0)
    throw new InvalidArgumentError('expected a number, 0 or more.');
  return number;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function size({ width, height }: Size): string {
  return `${width}x${height}`;
}
