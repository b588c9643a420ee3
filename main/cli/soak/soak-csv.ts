/**
 * What a soak run records, once a second (`soak.csv`), and the events between samples (`events.csv`):
 * the column lists here are the files' headers, in order, and what docs/soak/README.md explains.
 */

/** One sample. Memory in MiB (1024 x 1024 bytes); empty cells (null) where a number does not exist. */
export interface SoakRow {
  /** Seconds since the first sample (taken when the page showed its first painted frame). */
  readonly t_s: number;
  /** The style on screen (the page's current model id). */
  readonly style: string;
  /** 1 when a style switch (key pressed, new style not shown yet) took some of the time since the previous sample. */
  readonly switching: 0 | 1;
  /** The serving process (server, sampler and the engine thread): resident memory and main-thread JS heap. */
  readonly server_rss_mib: number;
  readonly server_heap_mib: number;
  /** The engine worker thread's JS heap (its native memory is inside server_rss_mib). */
  readonly engine_heap_mib: number | null;
  /** tfjs's live tensors in the engine thread; empty unless the backend running is tfjs. */
  readonly engine_tf_tensors: number | null;
  readonly chromium_browser_rss_mib: number | null;
  /** All renderer processes added up (the page's, and the about:blank tab's). */
  readonly chromium_renderer_rss_mib: number | null;
  readonly chromium_renderers: number | null;
  readonly chromium_gpu_rss_mib: number | null;
  /** Chromium's other children: zygotes, network and storage services, the fake camera's capture service. */
  readonly chromium_other_rss_mib: number | null;
  readonly chromium_others: number | null;
  /** Frames the page drew in the last second, as it counts them itself. */
  readonly displayed_fps: number | null;
  readonly displayed_frames: number | null;
  /** How long ago the page drew its newest frame. */
  readonly frame_age_ms: number | null;
  /** The longest wait between two drawn frames that ended since the previous sample. */
  readonly longest_gap_ms: number | null;
}

/** The columns of soak.csv, in order. */
export const SOAK_COLUMNS = [
  't_s',
  'style',
  'switching',
  'server_rss_mib',
  'server_heap_mib',
  'engine_heap_mib',
  'engine_tf_tensors',
  'chromium_browser_rss_mib',
  'chromium_renderer_rss_mib',
  'chromium_renderers',
  'chromium_gpu_rss_mib',
  'chromium_other_rss_mib',
  'chromium_others',
  'displayed_fps',
  'displayed_frames',
  'frame_age_ms',
  'longest_gap_ms',
] as const satisfies readonly (keyof SoakRow)[];

// Every field of SoakRow is a column: a field added to one and not the other fails to compile here.
type Missing = Exclude<keyof SoakRow, (typeof SOAK_COLUMNS)[number]>;
const everyFieldIsAColumn: [Missing] extends [never] ? true : Missing = true;
void everyFieldIsAColumn;

/**
 * Something that happened between samples, in the soak's seconds: a style switch (from the key press
 * to the first frame drawn in the new style; no end if it never came) or a gap (two drawn frames
 * more than {@link GAP_RECORDED_MS} apart).
 */
export interface SoakEvent {
  readonly kind: 'switch' | 'gap';
  readonly start_s: number;
  readonly end_s: number | null;
  /** The style switched to, or the style on screen during the gap. */
  readonly style: string;
  /** For gaps: whether the page said it was resting (holding a still scene's painting on purpose). */
  readonly resting: 0 | 1;
}

export const EVENT_COLUMNS = [
  'kind',
  'start_s',
  'end_s',
  'style',
  'resting',
] as const satisfies readonly (keyof SoakEvent)[];

/** Gaps between drawn frames longer than this are kept as events (half the gap limit: near misses show). */
export const GAP_RECORDED_MS = 1000;

/** One CSV line (RFC 4180): numbers as they are, null as an empty cell, text quoted where it must be. */
export function csvLine(values: readonly (string | number | null)[]): string {
  return values
    .map((value) => {
      if (value === null) return '';
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
      return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
    })
    .join(',');
}

/** A record's cells in `columns`' order. */
export function csvRecord<T extends object>(record: T, columns: readonly (keyof T)[]): string {
  return csvLine(columns.map((column) => record[column] as string | number | null));
}
