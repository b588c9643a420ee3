/**
 * The soak's pure parts: its limits, its verdict on recorded samples and events, the /proc parsing
 * and the CSV cells. The whole command against a real browser is in soak.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { chromiumProcessType, parseParentPid, parseVmRssKiB } from '../../main/cli/soak/process-memory.js';
import { csvLine, type SoakEvent, type SoakRow } from '../../main/cli/soak/soak-csv.js';
import { judgeSoak, soakLimits } from '../../main/cli/soak/soak-verdict.js';

describe('soakLimits', () => {
  it('is 5% for 10 minutes or more, proportionally looser below, never looser than 50%', () => {
    expect(soakLimits(3600).maxGrowth).toBeCloseTo(0.05);
    expect(soakLimits(600).maxGrowth).toBeCloseTo(0.05);
    expect(soakLimits(300).maxGrowth).toBeCloseTo(0.1);
    expect(soakLimits(90).maxGrowth).toBeCloseTo(0.333, 3);
    expect(soakLimits(30).maxGrowth).toBeCloseTo(0.5);
  });

  it('warms up a fifth of the run, at most a minute, and compares windows of a minute at most', () => {
    expect(soakLimits(3600)).toMatchObject({ warmupS: 60, windowS: 60 });
    expect(soakLimits(300)).toMatchObject({ warmupS: 60, windowS: 60 });
    expect(soakLimits(90)).toMatchObject({ warmupS: 18, windowS: 24 });
  });

  it('takes a given warm-up and bound, and refuses a warm-up as long as the run', () => {
    expect(soakLimits(600, { warmupS: 120, maxGrowth: 0.02 })).toMatchObject({
      warmupS: 120,
      maxGrowth: 0.02,
    });
    expect(() => soakLimits(60, { warmupS: 60 })).toThrow(/warm-up \(60 s\).*shorter than the run \(60 s\)/);
  });
});

/** A steady run: one row a second, a frame drawn 100 ms before each sample, memory flat unless told. */
function rows(seconds: number, change: (t: number) => Partial<SoakRow> = () => ({})): SoakRow[] {
  return Array.from({ length: seconds + 1 }, (_, t) => ({
    t_s: t,
    style: 'user:udnie',
    switching: 0,
    server_rss_mib: 300,
    server_heap_mib: 30,
    engine_heap_mib: 12,
    engine_tf_tensors: null,
    chromium_browser_rss_mib: 200,
    chromium_renderer_rss_mib: 600,
    chromium_renderers: 2,
    chromium_gpu_rss_mib: null,
    chromium_other_rss_mib: 370,
    chromium_others: 5,
    displayed_fps: 12,
    displayed_frames: 12 * t,
    frame_age_ms: 100,
    longest_gap_ms: 150,
    ...change(t),
  }));
}

const LIMITS = soakLimits(300); // warm-up 60 s, windows 60 s, 10%

describe('judgeSoak', () => {
  it('passes a steady run and reports its numbers', () => {
    const verdict = judgeSoak(rows(300), [], LIMITS);
    expect(verdict.failures).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.durationS).toBe(300);
    expect(verdict.fps).toEqual({ median: 12, lowest: 12 });
    expect(verdict.longestStall?.countedS).toBeCloseTo(0.1);
    const server = verdict.memory.find((m) => m.column === 'server_rss_mib')!;
    expect(server).toMatchObject({ firstMiB: 300, lastMiB: 300, growth: 0, ok: true });
    // No GPU process: nothing to judge, not a failure.
    expect(verdict.memory.find((m) => m.column === 'chromium_gpu_rss_mib')).toMatchObject({
      growth: null,
      ok: true,
    });
  });

  it('fails a process whose median RSS grows beyond the bound, and only that one', () => {
    // The renderer grows 0.1 MiB a second: medians 600+9 over 60–120 s and 600+27 over 240–300 s…
    const growing = rows(300, (t) => ({ chromium_renderer_rss_mib: 600 + 0.1 * t }));
    expect(judgeSoak(growing, [], LIMITS).ok).toBe(true);
    // …and 1 MiB a second: 690 → 870, +26%.
    const leaking = rows(300, (t) => ({ chromium_renderer_rss_mib: 600 + t }));
    const verdict = judgeSoak(leaking, [], LIMITS);
    expect(verdict.ok).toBe(false);
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.failures[0]).toMatch(/^Chromium renderers RSS grew \+26\.\d% .*more than the 10% bound/);
  });

  it('ignores growth during the warm-up, and a spike that a median does not see', () => {
    const run = rows(300, (t) => ({
      server_rss_mib: t < 60 ? 100 + t * 3 : 300,
      chromium_browser_rss_mib: t === 250 ? 900 : 200,
    }));
    expect(judgeSoak(run, [], LIMITS).ok).toBe(true);
  });

  it("does not judge JS heaps, nor Chromium's own services", () => {
    const run = rows(300, (t) => ({
      server_heap_mib: 30 + t,
      // Chromium starts its on-device model service three minutes in.
      chromium_other_rss_mib: t < 180 ? 370 : 416,
      chromium_others: t < 180 ? 5 : 6,
    }));
    const verdict = judgeSoak(run, [], LIMITS);
    expect(verdict.ok).toBe(true);
    expect(verdict.memory.find((m) => m.column === 'server_heap_mib')).toMatchObject({ judged: false });
    expect(verdict.memory.find((m) => m.column === 'chromium_other_rss_mib')).toMatchObject({
      judged: false,
      firstMiB: 370,
      lastMiB: 416,
    });
  });

  it('fails a gap between frames longer than 2 s after the warm-up', () => {
    const gap: SoakEvent = { kind: 'gap', start_s: 100.2, end_s: 102.5, style: 'user:udnie', resting: 0 };
    const verdict = judgeSoak(rows(300), [gap], LIMITS);
    expect(verdict.ok).toBe(false);
    expect(verdict.failures).toEqual([
      'no new frame for 2.3 s outside style switches (t 100.2–102.5 s), more than 2 s',
    ]);
    // The same gap during the warm-up is not judged.
    expect(judgeSoak(rows(300), [{ ...gap, start_s: 50.2, end_s: 52.5 }], LIMITS).ok).toBe(true);
  });

  it('counts no gap time while a style switch is under way, but limits the switch itself', () => {
    const gap: SoakEvent = { kind: 'gap', start_s: 100.2, end_s: 103.5, style: 'user:wave', resting: 0 };
    const switched: SoakEvent = {
      kind: 'switch',
      start_s: 100.3,
      end_s: 103.5,
      style: 'user:wave',
      resting: 0,
    };
    const verdict = judgeSoak(rows(300), [gap, switched], LIMITS);
    expect(verdict.ok).toBe(true);
    // 0.1 s before the press counts, as every sample's 100 ms frame age does.
    expect(verdict.longestStall!.countedS).toBeCloseTo(0.1);
    expect(verdict.switches).toMatchObject({ count: 1, unfinished: 0 });
    expect(verdict.switches.longestS).toBeCloseTo(3.2);

    // The part of a stall before the key press still counts.
    const early = judgeSoak(rows(300), [{ ...gap, start_s: 97 }, switched], LIMITS);
    expect(early.failures).toEqual([
      expect.stringMatching(/^no new frame for 3\.3 s outside style switches/),
    ]);

    const slow: SoakEvent = { ...switched, end_s: 111.5 };
    expect(judgeSoak(rows(300), [{ ...gap, end_s: 111.5 }, slow], LIMITS).failures).toEqual([
      'a style switch to user:wave took 11.2 s (t 100.3–111.5 s), more than 10 s',
    ]);
  });

  it('fails a switch whose style never shows, and a page that stops drawing', () => {
    const stuck: SoakEvent = { kind: 'switch', start_s: 280, end_s: null, style: '', resting: 0 };
    // The page drew nothing after t = 280: the frame age grows at each sample.
    const frozen = rows(300, (t) => (t > 280 ? { frame_age_ms: (t - 280) * 1000, displayed_fps: 0 } : {}));
    expect(judgeSoak(frozen, [stuck], LIMITS).failures).toEqual([
      'a style switch at t 280.0 s never showed its style (20.0 s until the end), more than 10 s',
    ]);
    const verdict = judgeSoak(frozen, [], LIMITS);
    expect(verdict.failures).toEqual([
      'no new frame for 20.0 s outside style switches (t 280.0–300.0 s), more than 2 s',
    ]);
    expect(verdict.fps?.lowest).toBe(0);
  });

  it('excuses a gap the page spent resting on a still scene', () => {
    const rest: SoakEvent = { kind: 'gap', start_s: 150, end_s: 152.4, style: 'user:udnie', resting: 1 };
    expect(judgeSoak(rows(300), [rest], LIMITS).ok).toBe(true);
    expect(judgeSoak(rows(300), [{ ...rest, resting: 0 }], LIMITS).ok).toBe(false);
  });
});

describe('/proc parsing', () => {
  it('reads VmRSS in KiB', () => {
    expect(parseVmRssKiB('Name:\tchromium\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n')).toBe(
      123456,
    );
    expect(parseVmRssKiB('Name:\tzombie\nState:\tZ (zombie)\n')).toBeNull();
  });

  it('finds the parent pid after a process name with spaces and parentheses', () => {
    expect(parseParentPid('4242 (Web Content (x)) S 4200 4242 1 0 -1')).toBe(4200);
    expect(parseParentPid('17 (chromium) S 1 17 17 0')).toBe(1);
  });

  it("tells Chromium's process types from NUL-separated and rewritten command lines", () => {
    expect(chromiumProcessType('/usr/lib/chromium/chromium\0--headless\0--type=gpu-process\0--foo\0')).toBe(
      'gpu-process',
    );
    expect(chromiumProcessType('/usr/lib/chromium/chromium --type=renderer --lang=en-US')).toBe('renderer');
    expect(
      chromiumProcessType('/usr/lib/chromium/chromium\0--headless\0--remote-debugging-pipe\0'),
    ).toBeNull();
    expect(chromiumProcessType('/usr/lib/chromium/chromium\0--no-type=renderer\0')).toBeNull();
  });
});

describe('csvLine', () => {
  it('leaves numbers and plain text as they are, empties nulls, quotes what must be quoted', () => {
    expect(csvLine([1.5, null, 'user:udnie', 'a,b', 'say "hi"', Number.NaN])).toBe(
      '1.5,,user:udnie,"a,b","say ""hi""",',
    );
  });
});
