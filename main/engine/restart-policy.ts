/**
 * When to restart a crashed or hung engine, for the one supervisor of both the Electron app and
 * browser mode: 1 s, doubling to 30 s, and back to 1 s once a run stayed up for a minute. A
 * gallery wall must come back by itself, but a model that crashes the engine at once must not spin.
 */
export const FIRST_RESTART_DELAY_MS = 1_000;
export const MAX_RESTART_DELAY_MS = 30_000;
export const STABLE_UPTIME_MS = 60_000;

/** The delay before the next restart, given the previous delay (0: none yet) and how long this run lasted. */
export function nextRestartDelay(previousDelayMs: number, uptimeMs: number): number {
  return uptimeMs >= STABLE_UPTIME_MS || previousDelayMs === 0
    ? FIRST_RESTART_DELAY_MS
    : Math.min(previousDelayMs * 2, MAX_RESTART_DELAY_MS);
}
