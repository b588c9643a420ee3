/**
 * `stylemirror bench --pipeline --still`: what an idle mirror costs. Runs the whole browser-mode
 * mirror twice with the fake camera, first on the fox video (a moving scene), then on a still scene
 * (the video's first frame, repeated for a few seconds with camera-like noise, seeded), and measures
 * the CPU of both sides (this process with its engine worker, and Chromium's process tree) over the
 * same span of each. With resting on, the still scene should cost at most a quarter of the moving one.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS, type Settings } from '../../../common/settings-schema.js';
import { addNoise, seededRandom } from '../camera-noise.js';
import { benchModelFolders, FOX_VIDEO } from '../shared-data.js';
import { encodeY4m, parseY4m, type YuvFrame } from '../y4m.js';
import {
  cpuLine,
  measureBrowserMode,
  PIPELINE_SIZE,
  requireChromium,
  type BrowserRun,
  type PipelineBenchOptions,
  type PipelineCpu,
} from './pipeline-bench.js';
import { canMeasureProcessTrees } from './process-cpu.js';
import { RENDERER_DIR } from './serve-command.js';

/** The target: a still scene costs at most this share of the CPU of a moving one. */
export const STILL_CPU_TARGET = 0.25;
/** Length of the still video Chromium loops: long enough that its loop point is rare. */
const STILL_VIDEO_SECONDS = 4;
const NOISE_SIGMA = 3;
const NOISE_SEED = 20261125;

export interface SceneRun {
  readonly scene: string;
  readonly displayedFps: number;
  readonly sent: number;
  readonly rested: number;
  readonly cpu: PipelineCpu;
  /** Both sides together, in percent of one core. */
  readonly totalCpuPercent: number;
}

export interface StillSceneReport {
  readonly model: string;
  readonly seconds: number;
  readonly chromium: string;
  readonly moving: SceneRun;
  readonly still: SceneRun;
  /** Still scene's CPU over the moving one's. */
  readonly ratio: number;
}

/** Measures the mirror's CPU on a moving scene and on a still one, and prints both and their ratio. */
export async function stillSceneBenchCommand(
  options: PipelineBenchOptions,
  log: (line: string) => void = console.log,
): Promise<StillSceneReport> {
  if (!Number.isFinite(options.seconds) || options.seconds < 1) {
    throw new Error('--seconds must be a number of at least 1.');
  }
  const chromiumPath = requireChromium(options.chromium);
  if (!canMeasureProcessTrees()) {
    throw new Error(`--still measures CPU from /proc, which ${process.platform} does not have: Linux only.`);
  }
  if (!existsSync(FOX_VIDEO)) {
    throw new Error(`--still needs the fox video for both scenes, and ${FOX_VIDEO} is missing.`);
  }
  const {
    modelsDir,
    folders: [folder],
  } = await benchModelFolders(options);
  const say = options.json ? () => undefined : log;
  const durationMs = options.seconds * 1000;
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    processingSize: PIPELINE_SIZE,
    lastModelId: `user:${folder}`,
    camera: { deviceId: null, width: 320, height: 240 },
  };

  const temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-still-'));
  try {
    const stillVideo = path.join(temp, 'still.y4m');
    await writeStillVideo(FOX_VIDEO, stillVideo);
    const runScene = async (scene: string, video: string): Promise<BrowserRun> => {
      say(`${scene}: browser mode + headless Chromium, ${folder} at 256x192, ${options.seconds} s…`);
      const sceneTemp = path.join(temp, scene.replace(/\W+/g, '-'));
      await mkdir(sceneTemp);
      return measureBrowserMode({
        rendererDir: options.rendererDir ?? RENDERER_DIR,
        chromiumPath,
        cameraArgs: [`--use-file-for-fake-video-capture=${video}`],
        modelsDir,
        settings,
        temp: sceneTemp,
        durationMs,
        say,
      });
    };
    const moving = await runScene('moving scene', FOX_VIDEO);
    const still = await runScene('still scene', stillVideo);
    const movingRun = sceneRun(`${path.basename(FOX_VIDEO)}`, moving);
    const stillRun = sceneRun(
      `its first frame for ${STILL_VIDEO_SECONDS} s, noise sigma ${NOISE_SIGMA} (seeded)`,
      still,
    );
    const report: StillSceneReport = {
      model: folder,
      seconds: options.seconds,
      chromium: moving.chromiumVersion,
      moving: movingRun,
      still: stillRun,
      ratio: stillRun.totalCpuPercent / movingRun.totalCpuPercent,
    };
    if (options.json) log(JSON.stringify(report, null, 2));
    else printReport(report, log);
    return report;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Writes a still scene for Chromium's fake camera: the first frame of `source`, repeated for
 * {@link STILL_VIDEO_SECONDS} at the source's frame rate, each copy with its own camera noise.
 */
export async function writeStillVideo(source: string, target: string): Promise<void> {
  const { header, frames } = parseY4m(await readFile(source), source);
  const first = frames[0];
  if (first === undefined) throw new Error(`${source} has no frames to make a still scene of.`);
  const [num, den] = header.frameRate.split(':').map(Number);
  const fps = num !== undefined && den !== undefined && num > 0 && den > 0 ? num / den : 15;
  const random = seededRandom(NOISE_SEED);
  const still: YuvFrame[] = Array.from({ length: Math.round(fps * STILL_VIDEO_SECONDS) }, () => {
    const frame = { y: new Uint8Array(first.y), u: new Uint8Array(first.u), v: new Uint8Array(first.v) };
    for (const plane of [frame.y, frame.u, frame.v]) addNoise(plane, NOISE_SIGMA, random);
    return frame;
  });
  await writeFile(target, encodeY4m(header, still));
}

function sceneRun(scene: string, run: BrowserRun): SceneRun {
  if (run.cpu === null) throw new Error('Could not read CPU use from /proc.');
  const { displayedFps, sent, rested } = run.pipeline;
  return {
    scene,
    displayedFps,
    sent,
    rested,
    cpu: run.cpu,
    totalCpuPercent: run.cpu.serverPercent + run.cpu.chromiumPercent,
  };
}

function printReport(report: StillSceneReport, log: (line: string) => void): void {
  const line = (label: string, run: SceneRun) =>
    log(
      `${label}${cpuLine(run.cpu)}; ${run.displayedFps.toFixed(1)} fps shown, ${run.sent} frames sent, ${run.rested} rested (${run.scene})`,
    );
  log('');
  log(`Model:    ${report.model} at 256x192, ${report.seconds} s per scene, Chromium ${report.chromium}`);
  line('Moving:   ', report.moving);
  line('Still:    ', report.still);
  log(
    `Ratio:    a still scene costs ${(report.ratio * 100).toFixed(0)}% of a moving one's CPU ` +
      `(target at most ${STILL_CPU_TARGET * 100}%: ${report.ratio <= STILL_CPU_TARGET ? 'met' : 'NOT met'})`,
  );
}
