/**
 * `stylemirror bench --pipeline` and the small DevTools driver it uses, against Debian's Chromium.
 * These check that the bench runs and reports consistent numbers; they time nothing. Skipped, saying
 * why, where Chromium or the shared models are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAMES_IN_FLIGHT } from '../../renderer/src/mirror/frame-scheduler.js';
import { HeadlessChromium } from '../../main/cli/commands/headless-chromium.js';
import type { PipelineBenchReport } from '../../main/cli/commands/pipeline-bench.js';
import type { StillSceneReport } from '../../main/cli/commands/still-scene-bench.js';
import { CHROMIUM_PATH, chromiumAvailable } from '../support/chromium.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

if (!chromiumAvailable()) {
  console.warn(`Chromium is not installed at ${CHROMIUM_PATH}: skipping the pipeline bench tests.`);
}

(chromiumAvailable() ? describe : describe.skip)('HeadlessChromium', () => {
  let chromium: HeadlessChromium | undefined;
  let profile: string | undefined;
  afterEach(async () => {
    await chromium?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('opens a page, evaluates in it, and reports what the page throws', async () => {
    profile = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-chromium-'));
    chromium = await HeadlessChromium.launch({
      executable: CHROMIUM_PATH,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    expect(await chromium.version()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const html =
      '<title>t</title><script>window.answer = 6 * 7; setTimeout(() => { throw new Error("late boom"); });</script>';
    const page = await chromium.openPage(`data:text/html,${encodeURIComponent(html)}`);
    await expect.poll(() => page.evaluate<number | null>('window.answer ?? null')).toBe(42);
    expect(await page.evaluate<number>('new Promise((resolve) => setTimeout(() => resolve(7), 10))')).toBe(7);
    await expect(page.evaluate('(() => { throw new Error("sour"); })()')).rejects.toThrow(
      /The page threw: .*sour/,
    );
    await expect.poll(() => page.errors.join('\n')).toMatch(/late boom/);
  });

  it('fails clearly when Chromium is not there', async () => {
    profile = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-chromium-'));
    await expect(
      HeadlessChromium.launch({ executable: path.join(profile, 'no-chromium'), userDataDir: profile }),
    ).rejects.toThrow(/ENOENT/);
  });
});

const canBench = chromiumAvailable() && existsSync(path.join(MODELS, 'udnie'));
(canBench ? describe : describe.skip)('stylemirror bench --pipeline', () => {
  it('measures the page and the engine alone, and reports numbers that agree with each other', async () => {
    const { stdout } = await runCli([
      'bench',
      '--pipeline',
      '--models',
      MODELS,
      '--model',
      'udnie',
      '--seconds',
      '2',
      '--precision',
      'fp32',
      '--json',
    ]);
    const report = JSON.parse(stdout) as PipelineBenchReport;
    expect(report.model).toBe('udnie');
    expect(report.processingSize).toEqual({ width: 256, height: 192 });
    expect(report.camera.source).toMatch(/fox_320x240_15fps\.y4m$/);

    const { pipeline, engine } = report;
    expect(pipeline.frames).toBeGreaterThan(0);
    expect(pipeline.displayedFps).toBeGreaterThan(0);
    // Every shown frame was sent, in the window or, for the frames already at the engine when the
    // window opened, just before it; latency includes the engine's own time for the frame.
    expect(pipeline.sent + MAX_FRAMES_IN_FLIGHT).toBeGreaterThanOrEqual(pipeline.frames);
    expect(pipeline.meanLatencyMs).toBeGreaterThan(pipeline.meanEngineMs);
    expect(pipeline.meanEngineMs).toBeGreaterThan(0);
    expect(engine.frames).toBeGreaterThan(0);
    expect(engine.backend).toMatch(/^(ort|tfjs) /);
    expect(engine.precision).toBe('fp32: float32 as asked');
    expect(report.ratio).toBeCloseTo(pipeline.displayedFps / engine.fps, 6);
    // The fox keeps moving, but its video has moments where one frame repeats the last (CI runs
    // rested 1): rare, not none. CPU is read from /proc on Linux.
    expect(pipeline.rested).toBeLessThan(Math.max(2, pipeline.sent / 10));
    if (process.platform === 'linux') {
      expect(report.cpu!.serverPercent).toBeGreaterThan(0);
      expect(report.cpu!.chromiumPercent).toBeGreaterThan(0);
    }
  });

  it.runIf(process.platform === 'linux')(
    '--still: the mirror rests on a still scene and reports CPU for both scenes',
    async () => {
      const { stdout } = await runCli([
        'bench',
        '--pipeline',
        '--still',
        '--models',
        MODELS,
        '--model',
        'udnie',
        '--seconds',
        '3',
        '--json',
      ]);
      const report = JSON.parse(stdout) as StillSceneReport;
      expect(report.model).toBe('udnie');
      // Moving: every measured frame sent; still: camera frames held back, at most a heartbeat or two sent.
      expect(report.moving.sent).toBeGreaterThan(0);
      // The fox video has moments where one frame repeats the last (a CI run rested 1): rare, not none.
      expect(report.moving.rested).toBeLessThan(Math.max(2, report.moving.sent / 10));
      expect(report.still.rested).toBeGreaterThan(10);
      expect(report.still.sent).toBeLessThanOrEqual(3);
      for (const run of [report.moving, report.still]) {
        expect(run.totalCpuPercent).toBeCloseTo(run.cpu.serverPercent + run.cpu.chromiumPercent, 6);
      }
      expect(report.ratio).toBeCloseTo(report.still.totalCpuPercent / report.moving.totalCpuPercent, 6);
    },
  );
});

function runCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args],
      { cwd: REPO_ROOT, timeout: 110_000 },
      (error, stdout, stderr) => (error === null ? resolve({ stdout, stderr }) : reject(error)),
    );
  });
}
