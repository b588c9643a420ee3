/**
 * `stylemirror bench --pipeline`: how much of the engine's speed reaches the screen. Runs browser mode
 * in-process, drives it with headless Chromium and a fake camera, and reads the page's own numbers
 * (`window.__styleMirrorStats`); then, not overlapping, times the engine alone on frames of the same
 * size. The ratio is what the page, the WebSocket and the scheduling cost.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeSettingsFile } from '../../core/settings/settings-file-store.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../common/settings-schema.js';
import type { PrecisionChoice, StylizeResult } from '../../../common/engine-types.js';
import type { Frame } from '../../../common/frame.js';
import type { Size } from '../../engine/stylize.js';
import type { EngineSupervisor } from '../../engine/engine-supervisor.js';
import { startWorkerEngine } from '../../engine/worker/worker-thread-launcher.js';
import { startBrowserServer } from '../../server/browser-server.js';
import { BUNDLED_MODELS_DIR } from '../model-library.js';
import { benchModelFolders, fakeCamera, fasterFoxCamera } from '../shared-data.js';
import { HeadlessChromium, type HeadlessPage } from './headless-chromium.js';
import { ownCpuMs, processTreeCpuMs } from './process-cpu.js';
import { RENDERER_DIR } from './serve-command.js';

export interface PipelineBenchOptions {
  /** Seconds each measurement runs. */
  readonly seconds: number;
  /** A model folder name inside the models folder, or a model folder's path. */
  readonly model?: string;
  /** The models folder; default the first of STYLEMIRROR_MODELS, else ../shared/models/ml5. */
  readonly models?: string;
  /** Chromium's executable; default Debian's /usr/bin/chromium. */
  readonly chromium?: string;
  readonly json: boolean;
  /** The built page to measure; default dist/renderer (for comparing renderer builds). */
  readonly rendererDir?: string;
  /** What the engine runs, on the page and alone; default auto. */
  readonly precision?: PrecisionChoice;
  /** Play the fox video this fast instead of its own 15 fps, for an engine faster than the camera. */
  readonly cameraFps?: number;
}

export interface PipelineBenchReport {
  readonly machine: { cpu: string; cores: number; platform: string; node: string; chromium: string };
  readonly model: string;
  readonly processingSize: Size;
  readonly seconds: number;
  readonly camera: { source: string; fps: number | null };
  readonly pipeline: {
    readonly displayedFps: number;
    readonly meanLatencyMs: number;
    readonly meanEngineMs: number;
    readonly frames: number;
    readonly sent: number;
    readonly dropped: number;
    /** Camera frames held back because they showed nothing new (the mirror resting). */
    readonly rested: number;
  };
  /**
   * CPU over the measured span, in percent of one core: this process (the server and its engine
   * worker) and Chromium's whole process tree. Null where it cannot be measured (not Linux).
   */
  readonly cpu: PipelineCpu | null;
  readonly engine: {
    readonly fps: number;
    readonly meanMs: number;
    readonly frames: number;
    /** The halves timed before and after the page ran; `fps` covers both. */
    readonly fpsBefore: number;
    readonly fpsAfter: number;
    readonly backend: string;
    /** The precision that ran, and why. */
    readonly precision: string;
  };
  /** Displayed fps over engine fps. */
  readonly ratio: number;
}

export interface PipelineCpu {
  readonly serverPercent: number;
  readonly chromiumPercent: number;
}

/** The size the bench runs at: the mirror's default processing size. */
export const PIPELINE_SIZE: Size = { width: 256, height: 192 };
/** The target: the page shows at least this share of what the engine alone can do. */
export const PIPELINE_TARGET_RATIO = 0.85;
/** Run before measuring: model load, first-run allocations, the camera settling. */
const WARMUP_MS = 3000;
/** Longest wait for the first stylized frame on the page. */
const FIRST_FRAME_TIMEOUT_MS = 90_000;

/** The Chromium to drive: `chromium`, default Debian's. @throws {Error} saying how to get one when it cannot run. */
export function requireChromium(chromium = '/usr/bin/chromium'): string {
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new Error(
      `No Chromium to run at ${chromium}. Install Debian's chromium (scripts/install-chromium.sh) or give --chromium PATH.`,
    );
  }
  return chromium;
}

/** Measures the browser pipeline, then the engine alone, and prints both with their ratio. */
export async function pipelineBenchCommand(
  options: PipelineBenchOptions,
  log: (line: string) => void = console.log,
): Promise<PipelineBenchReport> {
  if (!Number.isFinite(options.seconds) || options.seconds < 1) {
    throw new Error('--seconds must be a number of at least 1.');
  }
  const { cameraFps } = options;
  if (cameraFps !== undefined && !(Number.isInteger(cameraFps) && cameraFps >= 1 && cameraFps <= 120)) {
    throw new Error(`--camera-fps must be a whole number from 1 to 120, got ${cameraFps}.`);
  }
  const chromiumPath = requireChromium(options.chromium);
  const {
    modelsDir,
    folders: [folder],
  } = await benchModelFolders(options);
  const say = options.json ? () => undefined : log;
  const durationMs = options.seconds * 1000;

  const temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-pipeline-'));
  try {
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      processingSize: PIPELINE_SIZE,
      lastModelId: `user:${folder}`,
      camera: { deviceId: null, width: 320, height: 240 },
      precision: options.precision ?? 'auto',
    };

    // The engine alone is timed half before and half after the page, and the halves are added up:
    // on a shared machine the speed drifts over a minute, and a drift then cancels instead of
    // landing on one side of the ratio.
    const camera = cameraFps === undefined ? fakeCamera() : await fasterFoxCamera(cameraFps, temp);
    const engineBench = await EngineBench.open(path.join(modelsDir, folder), settings);
    let browserRun: BrowserRun;
    let engineBefore: EngineSample;
    let engineAfter: EngineSample;
    try {
      say(
        `Engine alone: a worker thread stylizing ${size(PIPELINE_SIZE)} RGBA frames, ${options.seconds / 2} s…`,
      );
      engineBefore = await engineBench.measure(durationMs / 2);
      say(
        `Pipeline: browser mode + headless Chromium, ${folder} at ${size(PIPELINE_SIZE)}, ${options.seconds} s…`,
      );
      browserRun = await measureBrowserMode({
        rendererDir: options.rendererDir ?? RENDERER_DIR,
        chromiumPath,
        cameraArgs: camera.args,
        modelsDir,
        settings,
        temp,
        durationMs,
        say,
      });
      say(`Engine alone again, ${options.seconds / 2} s…`);
      engineAfter = await engineBench.measure(durationMs / 2);
    } finally {
      await engineBench.close();
    }
    const engine = {
      ...combine(engineBefore, engineAfter),
      fpsBefore: engineBefore.frames / engineBefore.seconds,
      fpsAfter: engineAfter.frames / engineAfter.seconds,
      backend: engineBench.backend,
      precision: engineBench.precision,
    };

    const report: PipelineBenchReport = {
      machine: {
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.availableParallelism(),
        platform: `${process.platform} ${process.arch}`,
        node: process.versions.node,
        chromium: browserRun.chromiumVersion,
      },
      model: folder,
      processingSize: PIPELINE_SIZE,
      seconds: options.seconds,
      camera: { source: camera.source, fps: browserRun.cameraFps },
      pipeline: browserRun.pipeline,
      cpu: browserRun.cpu,
      engine,
      ratio: engine.fps > 0 ? browserRun.pipeline.displayedFps / engine.fps : 0,
    };
    if (options.json) log(JSON.stringify(report, null, 2));
    else printReport(report, log);
    return report;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** What one browser-mode run measured. */
export type BrowserRun = Awaited<ReturnType<typeof measurePipeline>>;

/** Browser mode in this process, the built page in headless Chromium with the fake camera. */
export async function measureBrowserMode(run: {
  readonly rendererDir: string;
  readonly chromiumPath: string;
  /** Chromium switches for the fake camera's source. */
  readonly cameraArgs: readonly string[];
  readonly modelsDir: string;
  readonly settings: Settings;
  /** A scratch folder for the settings file, snapshots and Chromium's profile. */
  readonly temp: string;
  readonly durationMs: number;
  readonly say: (line: string) => void;
}): Promise<BrowserRun> {
  const { temp, say } = run;
  const settingsFile = path.join(temp, 'settings.json');
  writeSettingsFile(settingsFile, run.settings);
  const server = await startBrowserServer({
    rendererDir: run.rendererDir,
    settingsFile,
    snapshotsDir: path.join(temp, 'snapshots'),
    bundledModelsDir: BUNDLED_MODELS_DIR,
    modelsDir: run.modelsDir,
    log: say,
  });
  let chromium: HeadlessChromium | undefined;
  try {
    chromium = await HeadlessChromium.launchWithFakeCamera({
      executable: run.chromiumPath,
      userDataDir: path.join(temp, 'chromium-profile'),
      cameraArgs: run.cameraArgs,
    });
    return await measurePipeline(chromium, server.url, run.durationMs, say);
  } finally {
    await chromium?.close();
    await server.close();
  }
}

/** What this file reads of `window.__styleMirrorStats` (the renderer's MirrorStats). */
interface PageStats {
  readonly displayedFrames: number;
  readonly latencyTotalMs: number;
  readonly engineTotalMs: number;
  readonly sent: number;
  readonly dropped: number;
  readonly rested: number;
}

interface PageReading {
  readonly at: number;
  readonly stats: PageStats | null;
  readonly cameraFps: number | null;
}

/** Evaluated in the page: its clock, its stats and the camera's frame rate. */
const READ_PAGE = `(() => {
  const track = document.querySelector('video')?.srcObject?.getVideoTracks()[0];
  return {
    at: performance.now(),
    stats: window.__styleMirrorStats ?? null,
    cameraFps: track?.getSettings().frameRate ?? null,
  };
})()`;

/** What the page itself counted while it ran: its stats are the ground truth of what people see. */
async function measurePipeline(
  chromium: HeadlessChromium,
  url: string,
  durationMs: number,
  say: (line: string) => void,
): Promise<{
  chromiumVersion: string;
  cameraFps: number | null;
  pipeline: PipelineBenchReport['pipeline'];
  cpu: PipelineCpu | null;
}> {
  const page = await chromium.openPage(url);
  await waitForFirstFrame(page);
  say(`  first frame shown; warming up ${WARMUP_MS / 1000} s, then measuring…`);
  await sleep(WARMUP_MS);

  // Two readings of the page's own counters, nothing in between: polling the page on every
  // animation frame would make Chromium composite 60 times a second, work the mirror itself never
  // asks for, on the same two cores as the engine.
  const cpuBefore = cpuSample(chromium);
  const first = await page.evaluate<PageReading>(READ_PAGE);
  await sleep(durationMs);
  const last = await page.evaluate<PageReading>(READ_PAGE);
  const cpuAfter = cpuSample(chromium);
  if (first.stats === null || last.stats === null) throw new Error('The page stopped publishing its stats.');
  const frames = last.stats.displayedFrames - first.stats.displayedFrames;
  const perFrame = (total: number) => (frames > 0 ? total / frames : 0);

  return {
    chromiumVersion: await chromium.version(),
    cameraFps: last.cameraFps,
    pipeline: {
      displayedFps: frames / ((last.at - first.at) / 1000),
      meanLatencyMs: perFrame(last.stats.latencyTotalMs - first.stats.latencyTotalMs),
      meanEngineMs: perFrame(last.stats.engineTotalMs - first.stats.engineTotalMs),
      frames,
      sent: last.stats.sent - first.stats.sent,
      dropped: last.stats.dropped - first.stats.dropped,
      rested: last.stats.rested - first.stats.rested,
    },
    cpu: cpuPercent(cpuBefore, cpuAfter),
  };
}

interface CpuSample {
  readonly at: number;
  readonly serverMs: number;
  readonly chromiumMs: number | null;
}

function cpuSample(chromium: HeadlessChromium): CpuSample {
  const { pid } = chromium;
  return {
    at: performance.now(),
    serverMs: ownCpuMs(),
    chromiumMs: pid === undefined ? null : processTreeCpuMs(pid),
  };
}

function cpuPercent(before: CpuSample, after: CpuSample): PipelineCpu | null {
  if (before.chromiumMs === null || after.chromiumMs === null) return null;
  const wallMs = after.at - before.at;
  return {
    serverPercent: ((after.serverMs - before.serverMs) / wallMs) * 100,
    chromiumPercent: ((after.chromiumMs - before.chromiumMs) / wallMs) * 100,
  };
}

async function waitForFirstFrame(page: HeadlessPage): Promise<void> {
  const deadline = performance.now() + FIRST_FRAME_TIMEOUT_MS;
  while (performance.now() < deadline) {
    // The page may still be loading: a failed read is a "not yet".
    const reading = await page.evaluate<PageReading>(READ_PAGE).catch(() => null);
    if ((reading?.stats?.displayedFrames ?? 0) > 0) return;
    await sleep(250);
  }
  throw new Error(
    `The page showed no stylized frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s.` +
      (page.errors.length > 0 ? ` Page errors: ${page.errors.join('; ')}` : ''),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface EngineSample {
  readonly frames: number;
  readonly seconds: number;
  readonly totalMs: number;
}

function combine(a: EngineSample, b: EngineSample) {
  const frames = a.frames + b.frames;
  return {
    fps: frames / (a.seconds + b.seconds),
    meanMs: frames === 0 ? 0 : (a.totalMs + b.totalMs) / frames,
    frames,
  };
}

/** The engine alone, one frame after another, as fast as it answers: the ceiling for the page. */
class EngineBench {
  private constructor(
    private readonly engine: EngineSupervisor,
    private readonly stylizeOnce: () => Promise<StylizeResult>,
    readonly backend: string,
    readonly precision: string,
  ) {}

  /** Loads the model in a worker thread of its own and warms it up. */
  static async open(modelDir: string, settings: Settings): Promise<EngineBench> {
    const engine = startWorkerEngine();
    try {
      const status = await engine.call('loadModel', {
        dir: modelDir,
        backend: settings.backend,
        precision: settings.precision,
      });
      const template = gradientFrame(PIPELINE_SIZE);
      const options = { strength: settings.strength, preserveColors: settings.preserveColors };
      // A fresh copy per call, as the server makes one per received frame; it moves to the worker.
      const stylizeOnce = () => {
        const data = new Uint8Array(template.data);
        return engine.call('stylize', { frame: { ...template, data }, options }, [data.buffer]);
      };
      const bench = new EngineBench(
        engine,
        stylizeOnce,
        `${status.backend.kind} ${status.backend.runtime} ${status.backend.precision} (${status.backend.device})`,
        `${status.backend.precision}: ${status.backend.precisionReason}`,
      );
      await bench.run(WARMUP_MS);
      return bench;
    } catch (error) {
      await engine.close();
      throw error;
    }
  }

  /** Times frames for `durationMs`, after a few untimed ones (caches go cold while the page runs). */
  async measure(durationMs: number): Promise<EngineSample> {
    for (let i = 0; i < 3; i++) await this.stylizeOnce();
    return this.run(durationMs);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  private async run(durationMs: number): Promise<EngineSample> {
    let frames = 0;
    let totalMs = 0;
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      totalMs += (await this.stylizeOnce()).timings.totalMs;
      frames++;
    }
    return { frames, seconds: (performance.now() - start) / 1000, totalMs };
  }
}

function printReport(report: PipelineBenchReport, log: (line: string) => void): void {
  const { machine, pipeline, engine, camera } = report;
  const percent = (report.ratio * 100).toFixed(0);
  log('');
  log(
    `Machine:  ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node}, Chromium ${machine.chromium}`,
  );
  log(`Model:    ${report.model} at ${size(report.processingSize)}, ${report.seconds} s per measurement`);
  log(`Camera:   ${camera.source}${camera.fps === null ? '' : ` (${camera.fps} fps)`}`);
  log(
    `Browser:  ${pipeline.displayedFps.toFixed(1)} fps displayed, mean latency ${pipeline.meanLatencyMs.toFixed(0)} ms ` +
      `(engine ${pipeline.meanEngineMs.toFixed(0)} ms of it), ${pipeline.frames} frames, ${pipeline.sent} sent, ${pipeline.dropped} camera frames skipped, ${pipeline.rested} rested`,
  );
  log(
    `Engine:   ${engine.fps.toFixed(1)} fps alone (${engine.fpsBefore.toFixed(1)} before the page, ${engine.fpsAfter.toFixed(1)} after), ` +
      `${engine.meanMs.toFixed(0)} ms per frame, ${engine.backend}`,
  );
  log(`Precision: ${engine.precision}`);
  log(
    `Ratio:    ${percent}% of the engine's fps reach the screen (target ${PIPELINE_TARGET_RATIO * 100}%: ` +
      `${report.ratio >= PIPELINE_TARGET_RATIO ? 'met' : 'NOT met'})`,
  );
  // From the pipeline run alone, so unaffected by the machine's load changing between the two runs.
  if (report.cpu !== null) log(`CPU:      ${cpuLine(report.cpu)}`);
  const busy = (pipeline.displayedFps * pipeline.meanEngineMs) / 10;
  log(
    `Busy:     the engine worked ${busy.toFixed(0)}% of the pipeline run's time (displayed fps x engine ms per frame)`,
  );
  if (camera.fps !== null && camera.fps < engine.fps) {
    log(
      `Note:     the camera gives ${camera.fps} fps, fewer than the engine could paint: the camera, not the pipeline, sets the pace.`,
    );
  }
}

/** CPU use as a person reads it: each side and the sum, in percent of one core. */
export function cpuLine(cpu: PipelineCpu): string {
  const total = cpu.serverPercent + cpu.chromiumPercent;
  return `${total.toFixed(0)}% of one core: server and engine ${cpu.serverPercent.toFixed(0)}%, Chromium ${cpu.chromiumPercent.toFixed(0)}%`;
}

/** A smooth RGBA gradient: the engine's time does not depend on what the picture shows. */
function gradientFrame({ width, height }: Size): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([(x * 255) / width, (y * 255) / height, 128, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height, channels: 4 };
}

function size({ width, height }: Size): string {
  return `${width}x${height}`;
}
