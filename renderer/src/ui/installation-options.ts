/** The choices the Installation settings offer; a value set elsewhere (a settings file) still shows. */

/** How long each style shows when styles change by themselves, in seconds. */
export const CYCLE_SECONDS = [10, 30, 60, 300, 900, 3600] as const;
/** How long one style fades into the next, in milliseconds; 0 is a cut. */
export const CROSSFADE_MS = [0, 500, 1500, 3000, 5000] as const;
/** How long nobody has moved before attract mode, in seconds. */
export const ATTRACT_AFTER_SECONDS = [30, 60, 300, 900] as const;
/** How often styles change in attract mode (`slower`), in seconds. */
export const ATTRACT_CYCLE_SECONDS = [60, 120, 300, 600] as const;

/** `options` with `value` added in order when it is not one of them. */
export function withValue(options: readonly number[], value: number): number[] {
  return options.includes(value) ? [...options] : [...options, value].sort((a, b) => a - b);
}

/** 90 -> "1 min 30 s", 3600 -> "1 h", 0.5 -> "0.5 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', s > 0 ? `${s} s` : ''].filter(Boolean).join(' ');
}

/** A `HH:MM` time from a time input; null for anything else (an input cleared, seconds added). */
export function clockTimeOf(value: string): string | null {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value) ? value : null;
}
