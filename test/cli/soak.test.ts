/**
 * `stylemirror soak`, the whole command: a 90-second soak of browser mode in Debian's Chromium with
 * the fake camera playing the shared fox video. Checks the files it writes (one CSV row a second with
 * plausible numbers, the events, an SVG that parses, with its series) and that its exit status is the
 * verdict its own CSV gives. Times nothing. Needs `npm run build`; skipped, saying why, where Chromium,
 * the video or the shared models are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessChromium } from '../../main/cli/commands/headless-chromium.js';
import { EVENT_COLUMNS, SOAK_COLUMNS, type SoakEvent, type SoakRow } from '../../main/cli/soak/soak-csv.js';
import { judgeSoak, soakLimits } from '../../main/cli/soak/soak-verdict.js';
import { CHROMIUM_PATH, chromiumAvailable } from '../support/chromium.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SHARED = path.resolve(REPO_ROOT, '../shared');
const MODELS = path.join(SHARED, 'models/ml5');
const FOX_VIDEO = path.join(SHARED, 'video/fox_320x240_15fps.y4m');
/** Long enough for a warm-up, two compared windows and a dozen style switches. */
const SECONDS = 90;

const missing = [
  chromiumAvailable() ? null : `Chromium at ${CHROMIUM_PATH}`,
  existsSync(FOX_VIDEO) ? null : `the fake camera's video ${FOX_VIDEO}`,
  existsSync(path.join(MODELS, 'udnie')) ? null : `the shared models in ${MODELS}`,
].filter((what) => what !== null);
if (missing.length > 0) console.warn(`Skipping the soak run: no ${missing.join(', no ')}.`);

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('stylemirror soak: bad input', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-soak-args-'));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));

  it('asks for a duration, and refuses one too short to judge', async () => {
    expect(await runCli(['soak'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--minutes M \(or --seconds S\)/),
    });
    expect(await runCli(['soak', '--seconds', '10'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/from 30 seconds to a week; 10 s/),
    });
    expect((await runCli(['soak', '--minutes', 'soon'])).stderr).toMatch(
      /--minutes.*expected a number above 0/,
    );
  });

  it('keeps an earlier run: refuses an --out folder that holds one', async () => {
    const out = path.join(temp, 'earlier');
    await mkdir(out);
    await writeFile(path.join(out, 'soak.csv'), 'an earlier run\n');
    const run = await runCli(['soak', '--seconds', '60', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already holds a soak run \(soak\.csv\)\. Give another --out/);
    expect(await readFile(path.join(out, 'soak.csv'), 'utf8')).toBe('an earlier run\n');
  });
});

(missing.length === 0 ? describe : describe.skip)(`stylemirror soak --seconds ${SECONDS}`, () => {
  let temp: string;
  let run: CliRun;
  let rows: SoakRow[];
  let events: SoakEvent[];
  beforeAll(
    async () => {
      temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-soak-'));
      run = await runCli(
        ['soak', '--seconds', String(SECONDS), '--out', temp, '--models', MODELS, '--model', 'udnie'],
        (SECONDS + 150) * 1000,
      );
      if (run.code !== 0 && run.code !== 1) throw new Error(`The soak did not finish: ${run.stderr}`);
      rows = parseCsv(await readFile(path.join(temp, 'soak.csv'), 'utf8'), SOAK_COLUMNS) as SoakRow[];
      events = parseCsv(await readFile(path.join(temp, 'events.csv'), 'utf8'), EVENT_COLUMNS) as SoakEvent[];
    },
    (SECONDS + 180) * 1000,
  );
  afterAll(() => rm(temp, { recursive: true, force: true }));

  it('exits with the verdict its own files give, and passes a healthy mirror', () => {
    const verdict = judgeSoak(rows, events, soakLimits(SECONDS));
    expect(run.code).toBe(verdict.ok ? 0 : 1);
    expect(run.stdout).toContain(`Summary: soak ${verdict.ok ? 'PASS' : 'FAIL'} over ${SECONDS} s`);
    // A mirror with no leak and no freeze: anything else is for someone to look at.
    expect(verdict.failures).toEqual([]);
  });

  it('writes one row a second, from t = 0 to the end', () => {
    expect(rows).toHaveLength(SECONDS + 1);
    rows.forEach((row, i) => {
      // A sample is not early (Node may fire a timer a few milliseconds before its time, which is not
      // a sample taken early); a late one does not push the next back.
      expect(row.t_s).toBeGreaterThanOrEqual(i - 0.05);
      expect(row.t_s).toBeLessThan(i + 3);
    });
  });

  it('records plausible memory for every process', () => {
    for (const row of rows) {
      expect(row.server_rss_mib).toBeGreaterThan(row.server_heap_mib);
      expect(row.server_heap_mib).toBeGreaterThan(1);
      expect(row.chromium_browser_rss_mib).toBeGreaterThan(10);
      expect(row.chromium_renderer_rss_mib).toBeGreaterThan(10);
      expect(row.chromium_renderers).toBeGreaterThanOrEqual(1);
      expect(row.chromium_other_rss_mib).toBeGreaterThan(0);
      expect(row.chromium_others).toBeGreaterThanOrEqual(1);
      // Everything comes from one machine's memory.
      expect(row.server_rss_mib + row.chromium_renderer_rss_mib!).toBeLessThan(os.totalmem() / 2 ** 20);
    }
    // The engine thread answers the inspector on nearly every sample (it may be inside a model load).
    const engineHeaps = rows.map((row) => row.engine_heap_mib).filter((mib) => mib !== null);
    expect(engineHeaps.length).toBeGreaterThan(rows.length * 0.8);
    for (const mib of engineHeaps) expect(mib).toBeGreaterThan(1);
  });

  it('counts tfjs tensors only where tfjs runs', () => {
    const engine = /engine {4}(\S+)/.exec(run.stdout)?.[1];
    const tensors = rows.map((row) => row.engine_tf_tensors);
    if (engine === 'ort') expect(tensors.every((count) => count === null)).toBe(true);
    else expect(tensors.some((count) => count !== null && count > 0)).toBe(true);
  });

  it("records the page's frames: counts that only grow, fps, and the newest frame's age", () => {
    const frames = rows.map((row) => row.displayed_frames!);
    frames.slice(1).forEach((count, i) => expect(count).toBeGreaterThanOrEqual(frames[i]!));
    expect(frames.at(-1)!).toBeGreaterThan(frames[0]! + SECONDS);
    for (const row of rows) {
      expect(row.displayed_fps).toBeGreaterThanOrEqual(0);
      expect(row.displayed_fps).toBeLessThanOrEqual(60);
      expect(row.frame_age_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('switches styles with the → key, and each switch ends with its style on screen', () => {
    const switches = events.filter((event) => event.kind === 'switch');
    // One every 5 s once the last has shown: at least a dozen in 90 s.
    expect(switches.length).toBeGreaterThanOrEqual(12);
    // Only a switch pressed in the last seconds may still be loading when the run ends.
    expect(switches.slice(0, -1).every((event) => event.end_s !== null)).toBe(true);
    for (const event of switches.filter((event) => event.end_s !== null)) {
      expect(event.end_s).toBeGreaterThan(event.start_s);
      expect(rows.some((row) => row.style === event.style && row.t_s >= event.end_s!)).toBe(true);
    }
    expect(new Set(rows.map((row) => row.style)).size).toBeGreaterThanOrEqual(10);
    expect(rows.some((row) => row.switching === 1)).toBe(true);
  });

  it('plots it as SVG that a browser parses, with every series', async () => {
    const svg = await readFile(path.join(temp, 'soak.svg'), 'utf8');
    const profile = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-soak-svg-'));
    const chromium = await HeadlessChromium.launch({
      executable: CHROMIUM_PATH,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    try {
      const page = await chromium.openPage('about:blank');
      const parsed = await page.evaluate<{
        error: string | null;
        root: string;
        texts: string[];
        lines: number;
      }>(
        `(() => {
          const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
          const error = doc.querySelector('parsererror');
          return {
            error: error === null ? null : error.textContent,
            root: doc.documentElement.nodeName,
            texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
            lines: doc.querySelectorAll('[aria-roledescription="line mark"]').length,
          };
        })()`,
      );
      expect(parsed.error).toBeNull();
      expect(parsed.root).toBe('svg');
      const gpu = rows.some((row) => row.chromium_gpu_rss_mib !== null);
      for (const label of [
        'server process RSS',
        'Chromium renderers RSS',
        ...(gpu ? ['Chromium GPU process RSS'] : []),
        'engine thread JS heap',
        'Frames the page drew per second',
        'newest frame age',
        'style switch (not a gap)',
      ]) {
        expect(
          parsed.texts.some((text) => text.includes(label)),
          label,
        ).toBe(true);
      }
      expect(parsed.texts.some((text) => text.startsWith('Style Mirror soak: 1.5 min'))).toBe(true);
      expect(parsed.lines).toBeGreaterThan(0);
    } finally {
      await chromium.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});

/** A CSV file as records; the header must be `columns`. Empty cells are null; numeric cells numbers. */
function parseCsv<T extends object>(text: string, columns: readonly (keyof T & string)[]): T[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(columns.join(','));
  return lines.map((line) => {
    // Our cells hold no commas or quotes (styles are ids like user:udnie): a split is a parse.
    const cells = line.split(',');
    expect(cells).toHaveLength(columns.length);
    return Object.fromEntries(
      columns.map((column, i) => {
        const cell = cells[i]!;
        return [column, cell === '' ? null : Number.isNaN(Number(cell)) ? cell : Number(cell)];
      }),
    ) as T;
  });
}

function runCli(args: string[], timeout = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args],
      { cwd: REPO_ROOT, timeout },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
