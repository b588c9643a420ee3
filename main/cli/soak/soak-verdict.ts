/**
 * Whether a soak run passed: memory that keeps growing after the warm-up, or the picture freezing.
 * Pure: it reads the samples and events a run recorded, so a run's verdict can be checked from its files.
 */
import type { SoakEvent, SoakRow } from './soak-csv.js';

/** A gap between drawn frames longer than this, outside style switches, fails the run. */
export const GAP_LIMIT_S = 2;
/** A style switch (key press to the first frame in the new style) longer than this fails the run. */
export const SWITCH_LIMIT_S = 10;
/** The memory bound for runs of 10 minutes or more; shorter runs get a proportionally looser one. */
export const LONG_RUN_GROWTH = 0.05;
const LONG_RUN_S = 600;
/** Even a very short run fails past this growth. */
const MAX_DEFAULT_GROWTH = 0.5;

export interface SoakLimits {
  /** Seconds after the first sample during which nothing is judged: first loads, JIT, caches filling. */
  readonly warmupS: number;
  /** Length of the two windows whose median memory is compared: right after the warm-up, and the last. */
  readonly windowS: number;
  /** Largest allowed growth of a process's median RSS from the first window to the last (0.05 = 5%). */
  readonly maxGrowth: number;
  readonly maxGapS: number;
  readonly maxSwitchS: number;
}

/**
 * The limits for a run of `durationS` seconds: warm-up 20% of the run, at most a minute; windows of
 * a minute, or a third of what follows the warm-up when that is shorter; growth 5% for 10 minutes
 * or more, else 5% x 10 min / duration (10% for 5 minutes, 33% for 90 s), at most 50%.
 */
export function soakLimits(
  durationS: number,
  overrides: { readonly warmupS?: number; readonly maxGrowth?: number } = {},
): SoakLimits {
  const warmupS = overrides.warmupS ?? Math.min(60, 0.2 * durationS);
  if (!(warmupS >= 0 && warmupS < durationS)) {
    throw new Error(
      `The warm-up (${warmupS} s) must be at least 0 and shorter than the run (${durationS} s).`,
    );
  }
  return {
    warmupS,
    windowS: Math.min(60, (durationS - warmupS) / 3),
    maxGrowth:
      overrides.maxGrowth ??
      Math.min(MAX_DEFAULT_GROWTH, LONG_RUN_GROWTH * Math.max(1, LONG_RUN_S / durationS)),
    maxGapS: GAP_LIMIT_S,
    maxSwitchS: SWITCH_LIMIT_S,
  };
}

type NumericColumn = {
  [K in keyof SoakRow]: SoakRow[K] extends number | null ? K : never;
}[keyof SoakRow];

/** The memory the soak watches; `judged` ones can fail the run. */
export const MEMORY_SERIES: readonly {
  readonly column: NumericColumn;
  readonly label: string;
  /** The label in one-line summaries. */
  readonly short: string;
  /** A process's resident memory, or a JS heap (inside a process's RSS). */
  readonly kind: 'rss' | 'heap';
  readonly judged: boolean;
}[] = [
  { column: 'server_rss_mib', label: 'server process RSS', short: 'server', kind: 'rss', judged: true },
  {
    column: 'chromium_browser_rss_mib',
    label: 'Chromium browser RSS',
    short: 'browser',
    kind: 'rss',
    judged: true,
  },
  {
    column: 'chromium_renderer_rss_mib',
    label: 'Chromium renderers RSS',
    short: 'renderers',
    kind: 'rss',
    judged: true,
  },
  {
    column: 'chromium_gpu_rss_mib',
    label: 'Chromium GPU process RSS',
    short: 'GPU',
    kind: 'rss',
    judged: true,
  },
  // Shown, not judged: Chromium starts services of its own as it pleases (its on-device model service
  // appears about three minutes in, +46 MiB), a step that is not the mirror's memory growing.
  {
    column: 'chromium_other_rss_mib',
    label: 'Chromium other processes RSS',
    short: 'other Chromium',
    kind: 'rss',
    judged: false,
  },
  // JS heaps are shown, not judged: a few MiB that swing with each collection, and the sampler's own
  // rows (about 1 MiB an hour) live in the server's heap.
  { column: 'server_heap_mib', label: 'server JS heap', short: 'server heap', kind: 'heap', judged: false },
  {
    column: 'engine_heap_mib',
    label: 'engine thread JS heap',
    short: 'engine heap',
    kind: 'heap',
    judged: false,
  },
];

export interface MemoryFinding {
  readonly label: string;
  readonly short: string;
  readonly column: NumericColumn;
  readonly judged: boolean;
  /** Median MiB in the window after the warm-up and in the last window; null where nothing was measured. */
  readonly firstMiB: number | null;
  readonly lastMiB: number | null;
  /** (last - first) / first, or null. */
  readonly growth: number | null;
  readonly ok: boolean;
}

/** A time with no new frame, in soak seconds; `countedS` leaves out the time spent in style switches. */
export interface Stall {
  readonly start_s: number;
  readonly end_s: number;
  readonly countedS: number;
}

export interface SoakVerdict {
  readonly ok: boolean;
  /** One sentence per broken rule. */
  readonly failures: readonly string[];
  readonly limits: SoakLimits;
  /** Seconds from the first sample to the last. */
  readonly durationS: number;
  readonly memory: readonly MemoryFinding[];
  /** After the warm-up. */
  readonly fps: { readonly median: number; readonly lowest: number } | null;
  readonly frameAgeMs: { readonly median: number; readonly longest: number } | null;
  /** The stall with the most counted time after the warm-up. */
  readonly longestStall: Stall | null;
  readonly switches: {
    readonly count: number;
    readonly medianS: number | null;
    readonly longestS: number | null;
    /** Switches whose style never showed before the run ended. */
    readonly unfinished: number;
  };
}

/**
 * Judges a run.
 *
 * Memory: for each process, the median RSS over the window right after the warm-up against the last
 * window; growth beyond `maxGrowth` fails. Medians, not the last value: RSS steps up and down with
 * each collection and each model load, and a leak moves the median where a spike does not.
 *
 * Frame gaps: a stall is a time with no new frame, as the page saw it: each interval between two drawn
 * frames (the page's own record, exact) and, at each sample, the time since the newest frame (which
 * catches a page that stopped drawing altogether, and makes a separate "samples without a new frame"
 * rule unnecessary: such a run of samples lies inside the time since the newest frame). A style switch
 * freezes the picture while the engine loads the new model, and the page rightly keeps the last painting
 * up: the time from the key press to the first frame in the new style is not counted as a gap, but
 * measured as switch time, with its own limit (`maxSwitchS`) so that a load that never ends still fails.
 * The same holds for a page resting on a still scene on purpose (where it says so). Only the counted
 * part of a stall after the warm-up is judged against `maxGapS`.
 */
export function judgeSoak(
  rows: readonly SoakRow[],
  events: readonly SoakEvent[],
  limits: SoakLimits,
): SoakVerdict {
  const failures: string[] = [];
  const lastT = rows.at(-1)?.t_s ?? 0;
  const judgedRows = rows.filter((row) => row.t_s >= limits.warmupS);

  const memory = MEMORY_SERIES.map((series): MemoryFinding => {
    const firstMiB = median(
      numbers(rows, series.column, (t) => t >= limits.warmupS && t < limits.warmupS + limits.windowS),
    );
    const lastMiB = median(numbers(rows, series.column, (t) => t > lastT - limits.windowS));
    const growth =
      firstMiB === null || lastMiB === null || firstMiB === 0 ? null : (lastMiB - firstMiB) / firstMiB;
    const ok = !series.judged || growth === null || growth <= limits.maxGrowth;
    if (!ok) {
      failures.push(
        `${series.label} grew ${percent(growth!)} (median ${firstMiB!.toFixed(1)} MiB over t ${span(
          limits.warmupS,
          limits.warmupS + limits.windowS,
        )} s, ${lastMiB!.toFixed(1)} MiB over the last ${round(limits.windowS)} s), more than the ${bound(limits.maxGrowth)} bound`,
      );
    }
    return { ...series, firstMiB, lastMiB, growth, ok };
  });

  const switches = events.filter((event) => event.kind === 'switch');
  const switchSeconds: number[] = [];
  let unfinished = 0;
  for (const event of switches) {
    const seconds = (event.end_s ?? lastT) - event.start_s;
    if (event.end_s === null) unfinished++;
    else switchSeconds.push(seconds);
    if (seconds > limits.maxSwitchS) {
      failures.push(
        event.end_s === null
          ? `a style switch at t ${round(event.start_s)} s never showed ${event.style || 'its style'} (${round(seconds)} s until the end), more than ${limits.maxSwitchS} s`
          : `a style switch to ${event.style} took ${round(seconds)} s (t ${span(event.start_s, event.end_s)} s), more than ${limits.maxSwitchS} s`,
      );
    }
  }

  // Times the picture may rightly stand still: switches under way, and gaps the page spent resting.
  const excused = mergeIntervals(
    events
      .filter((event) => event.kind === 'switch' || event.resting === 1)
      .map((event) => [event.start_s, event.end_s ?? lastT] as const),
  );
  const stallEnds = new Map<number, number>();
  const addStall = (start: number, end: number): void => {
    const key = Math.round(start * 1000);
    stallEnds.set(key, Math.max(stallEnds.get(key) ?? end, end));
  };
  for (const event of events) {
    if (event.kind === 'gap' && event.end_s !== null) addStall(event.start_s, event.end_s);
  }
  for (const row of rows) {
    if (row.frame_age_ms !== null) addStall(row.t_s - row.frame_age_ms / 1000, row.t_s);
  }
  let longestStall: Stall | null = null;
  for (const [startKey, end] of stallEnds) {
    // Only the part after the warm-up is judged.
    const start = Math.max(startKey / 1000, limits.warmupS);
    if (end <= start) continue;
    const countedS = end - start - overlap([start, end], excused);
    if (longestStall === null || countedS > longestStall.countedS)
      longestStall = { start_s: start, end_s: end, countedS };
  }
  if (longestStall !== null && longestStall.countedS > limits.maxGapS) {
    failures.push(
      `no new frame for ${round(longestStall.countedS)} s outside style switches (t ${span(
        longestStall.start_s,
        longestStall.end_s,
      )} s), more than ${limits.maxGapS} s`,
    );
  }

  const fpsValues = numbers(judgedRows, 'displayed_fps', () => true);
  const ages = numbers(judgedRows, 'frame_age_ms', () => true);
  if (judgedRows.length === 0) failures.push(`no sample after the ${round(limits.warmupS)} s warm-up`);

  return {
    ok: failures.length === 0,
    failures,
    limits,
    durationS: lastT,
    memory,
    fps: fpsValues.length === 0 ? null : { median: median(fpsValues)!, lowest: Math.min(...fpsValues) },
    frameAgeMs: ages.length === 0 ? null : { median: median(ages)!, longest: Math.max(...ages) },
    longestStall,
    switches: {
      count: switches.length,
      medianS: median(switchSeconds),
      longestS: switchSeconds.length === 0 ? null : Math.max(...switchSeconds),
      unfinished,
    },
  };
}

function numbers(rows: readonly SoakRow[], column: NumericColumn, when: (t: number) => boolean): number[] {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[column];
    if (value !== null && when(row.t_s)) values.push(value);
  }
  return values;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Interval = readonly [number, number];

function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const merged: [number, number][] = [];
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** How much of `interval` the (merged, disjoint) `intervals` cover. */
function overlap([start, end]: Interval, intervals: readonly Interval[]): number {
  let covered = 0;
  for (const [from, to] of intervals) covered += Math.max(0, Math.min(end, to) - Math.max(start, from));
  return covered;
}

function percent(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

/** A bound as a person writes it: 5%, 33%. */
export function bound(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}

function round(seconds: number): string {
  return seconds.toFixed(1);
}

function span(from: number, to: number): string {
  return `${round(from)}–${round(to)}`;
}
