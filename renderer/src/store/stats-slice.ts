import type { StateCreator } from 'zustand/vanilla';
import { EMPTY_STATS, type MirrorStats } from '../mirror/frame-stats.js';
import type { MirrorState } from './mirror-state.js';

export interface StatsSlice {
  /** The frame pump's numbers, refreshed a few times a second for the HUD. */
  readonly stats: MirrorStats;
  setStats(stats: MirrorStats): void;
}

export const createStatsSlice: StateCreator<MirrorState, [], [], StatsSlice> = (set) => ({
  stats: EMPTY_STATS,
  setStats: (stats) => set({ stats }),
});
