import type { StateCreator } from 'zustand/vanilla';
import type { MirrorState } from './mirror-state.js';

/** The camera as the recovery screens see it: opening, delivering frames, or gone and being retried. */
export type CameraHealth = 'starting' | 'live' | 'lost';

/** The engine as the recovery screens see it: painting, or failing frames while it restarts. */
export type EngineHealthShown = 'ok' | 'recovering';

/** Which stage the stall watchdog restarted: the camera stream, or the frame pump's engine call. */
export type StalledStage = 'camera' | 'pump';

/** How often the stall watchdog had to restart each stage since the page loaded (for the status document). */
export type StallRestarts = Readonly<Record<StalledStage, number>>;

export interface RecoverySlice {
  /**
   * One place for what the mirror is recovering from: `lost` shows the "camera lost" card,
   * `recovering` the "Recovering…" card over the last good frame, dimmed, so a stale picture is
   * never passed off as live.
   */
  readonly recovery: {
    readonly camera: CameraHealth;
    readonly engine: EngineHealthShown;
    readonly stallRestarts: StallRestarts;
  };
  setCameraHealth(camera: CameraHealth): void;
  setEngineHealth(engine: EngineHealthShown): void;
  countStallRestart(stage: StalledStage): void;
}

export const createRecoverySlice: StateCreator<MirrorState, [], [], RecoverySlice> = (set, get) => ({
  recovery: { camera: 'starting', engine: 'ok', stallRestarts: { camera: 0, pump: 0 } },
  // Both are called per frame or per camera event: only a real change may notify subscribers.
  setCameraHealth: (camera) => {
    const { recovery } = get();
    if (recovery.camera !== camera) set({ recovery: { ...recovery, camera } });
  },
  setEngineHealth: (engine) => {
    const { recovery } = get();
    if (recovery.engine !== engine) set({ recovery: { ...recovery, engine } });
  },
  countStallRestart: (stage) => {
    const { recovery } = get();
    const stallRestarts = { ...recovery.stallRestarts, [stage]: recovery.stallRestarts[stage] + 1 };
    set({ recovery: { ...recovery, stallRestarts } });
  },
});
