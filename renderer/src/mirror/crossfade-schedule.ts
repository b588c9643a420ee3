/**
 * How much of the old style's picture shows over the new one at `now`, for a crossfade that started
 * at `startedAt` and lasts `durationMs`: 1 at the start, 0 from the end on, eased in and out
 * (smoothstep) so the change neither jumps at its start nor stops abruptly.
 */
export function oldPictureWeight(startedAt: number, durationMs: number, now: number): number {
  if (durationMs <= 0) return 0;
  const t = Math.min(1, Math.max(0, (now - startedAt) / durationMs));
  return 1 - t * t * (3 - 2 * t);
}
