/**
 * The soak run as a picture (`soak.svg`): memory per process over time, JS heaps, the page's fps and
 * the age of its newest frame, with the warm-up, the two compared windows, the style switches and the
 * gap limit drawn in. A Vega-Lite spec, rendered by Vega's headless view: no browser, no hand-drawn SVG.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SoakEvent, SoakRow } from './soak-csv.js';
import { MEMORY_SERIES, type SoakVerdict } from './soak-verdict.js';

const WIDTH = 860;

export interface PlotTitle {
  readonly title: string;
  readonly subtitle: readonly string[];
}

/** The plot of one run as SVG text. */
export async function soakPlotSvg(
  rows: readonly SoakRow[],
  events: readonly SoakEvent[],
  verdict: SoakVerdict,
  heading: PlotTitle,
): Promise<string> {
  const view = new View(parse(compile(soakPlotSpec(rows, events, verdict, heading)).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The Vega-Lite spec (exported for tests and for anyone who wants to restyle the plot). */
export function soakPlotSpec(
  rows: readonly SoakRow[],
  events: readonly SoakEvent[],
  verdict: SoakVerdict,
  heading: PlotTitle,
): TopLevelSpec {
  const { warmupS, windowS, maxGapS } = verdict.limits;
  const lastT = verdict.durationS;
  const x = {
    field: 't',
    type: 'quantitative',
    title: 't (s)',
    scale: { domain: [0, lastT], nice: false },
  } as const;
  const long = (columns: readonly { column: keyof SoakRow; label: string }[]) =>
    rows.flatMap((row) =>
      columns.flatMap(({ column, label }) => {
        const value = row[column];
        return typeof value === 'number' ? [{ t: row.t_s, series: label, value }] : [];
      }),
    );
  const bands = [
    { from: 0, to: warmupS, band: 'warm-up (not judged)' },
    { from: warmupS, to: warmupS + windowS, band: 'compared windows' },
    { from: lastT - windowS, to: lastT, band: 'compared windows' },
  ];
  /** Shaded spans: the warm-up, and with `windows` the two compared windows. */
  const bandLayer = (legend: boolean, windows = true) => ({
    data: { values: windows ? bands : bands.slice(0, 1) },
    mark: { type: 'rect', opacity: 0.12 },
    encoding: {
      x: { ...x, field: 'from' },
      x2: { field: 'to' },
      fill: {
        field: 'band',
        type: 'nominal',
        title: null,
        scale: { domain: ['warm-up (not judged)', 'compared windows'], range: ['#888888', '#4c78a8'] },
        legend: legend ? { orient: 'top', labelLimit: 400 } : null,
      },
    },
  });
  const lines = (title: string, values: object[], height: number, legendBands: boolean) => ({
    height,
    width: WIDTH,
    title: { text: title, anchor: 'start', fontSize: 13 },
    layer: [
      bandLayer(legendBands),
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5, interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'MiB', scale: { zero: false } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { scheme: 'tableau10' },
            legend: { orient: 'right', labelLimit: 400 },
          },
        },
      },
    ],
  });

  const rss = MEMORY_SERIES.filter((series) => series.kind === 'rss');
  const heaps = MEMORY_SERIES.filter((series) => series.kind === 'heap');
  const switches = events
    .filter((event) => event.kind === 'switch')
    .map((event) => ({ from: event.start_s, to: event.end_s ?? lastT, what: 'style switch (not a gap)' }));

  const frames = {
    height: 150,
    width: WIDTH,
    title: {
      text: `Newest frame's age at each sample, longest wait between frames (gap limit ${maxGapS} s)`,
      anchor: 'start',
      fontSize: 13,
    },
    layer: [
      bandLayer(false, false),
      {
        data: { values: switches },
        mark: { type: 'rect', opacity: 0.3 },
        encoding: {
          x: { ...x, field: 'from' },
          x2: { field: 'to' },
          fill: {
            field: 'what',
            type: 'nominal',
            title: null,
            scale: { range: ['#f58518'] },
            legend: { orient: 'right', labelLimit: 400 },
          },
        },
      },
      {
        data: {
          values: long([
            { column: 'frame_age_ms', label: 'newest frame age' },
            { column: 'longest_gap_ms', label: 'longest wait between frames' },
          ]),
        },
        mark: { type: 'line', strokeWidth: 1.2, point: { size: 8 } },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'ms' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { range: ['#54a24b', '#b279a2'] },
            legend: { orient: 'right', labelLimit: 400 },
          },
        },
      },
      {
        data: { values: [{ limit: maxGapS * 1000 }] },
        mark: { type: 'rule', color: '#e45756', strokeDash: [6, 4] },
        encoding: { y: { field: 'limit', type: 'quantitative' } },
      },
    ],
    // The warm-up's shade and the switches' are different things, each with its own legend.
    resolve: { scale: { fill: 'independent' }, legend: { fill: 'independent' } },
  };

  const fps = {
    height: 110,
    width: WIDTH,
    title: { text: 'Frames the page drew per second', anchor: 'start', fontSize: 13 },
    layer: [
      bandLayer(false, false),
      {
        data: { values: long([{ column: 'displayed_fps', label: 'fps' }]) },
        mark: { type: 'line', strokeWidth: 1.2, color: '#4c78a8', interpolate: 'step-after' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'fps' } },
      },
    ],
  };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: heading.title, subtitle: [...heading.subtitle], anchor: 'start', fontSize: 15 },
    background: 'white',
    padding: 12,
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
    vconcat: [
      lines(
        'Resident memory per process (judged: median of the last window against the first; not Chromium’s other processes)',
        long(rss),
        220,
        true,
      ),
      lines('JavaScript heaps (shown, not judged)', long(heaps), 110, false),
      fps,
      frames,
    ],
    // Each panel has its own series, so its own colours and legend.
    resolve: {
      scale: { color: 'independent', fill: 'independent' },
      legend: { color: 'independent', fill: 'independent' },
    },
  } as TopLevelSpec;
}
