import type { StateCreator } from 'zustand/vanilla';
import type { Settings } from '../../../common/settings-schema.js';
import type { MirrorState } from './mirror-state.js';

/**
 * While not attracting, motion is written at most this often: the frame pump notes motion on every
 * moving frame, and attract mode waits whole seconds (at least 5) for stillness.
 */
export const MOTION_NOTE_INTERVAL_MS = 1000;

export interface InstallationSlice {
  /** When the camera last showed motion (performance.now() time); the frame pump notes it. */
  readonly motionAt: number;
  /** Attract mode: nobody has moved in front of the mirror for `attract.afterSeconds`. */
  readonly attracting: boolean;
  /** Outside opening hours, how the stage shows (the engine rests meanwhile); null while open. */
  readonly closed: Settings['openingHours']['closed'] | null;
  /** The camera showed motion at `at`: written at once while attracting (motion ends it), else throttled. */
  noteMotion(at: number): void;
  setAttracting(attracting: boolean): void;
  setClosed(closed: Settings['openingHours']['closed'] | null): void;
}

export const createInstallationSlice: StateCreator<MirrorState, [], [], InstallationSlice> = (set, get) => ({
  motionAt: 0,
  attracting: false,
  closed: null,
  noteMotion: (at) => {
    const { attracting, motionAt } = get();
    if (at > motionAt && (attracting || at - motionAt >= MOTION_NOTE_INTERVAL_MS)) set({ motionAt: at });
  },
  setAttracting: (attracting) => {
    if (get().attracting !== attracting) set({ attracting });
  },
  setClosed: (closed) => {
    if (get().closed !== closed) set({ closed });
  },
});
