import type { StateCreator } from 'zustand/vanilla';
import type { MirrorEngineStatus } from '../../../common/contract.js';
import type { MirrorState } from './mirror-state.js';

export interface EngineSlice {
  /** What the engine reports it is running: model and backend, shown in the HUD. */
  readonly engine: MirrorEngineStatus | null;
  /** Why frames are failing right now (engine restarting, connection lost); null while they flow. */
  readonly engineProblem: string | null;
  /** Why the app cannot start yet (settings or models unreadable); null once started. */
  readonly startupProblem: string | null;
  setEngine(engine: MirrorEngineStatus | null): void;
  setEngineProblem(problem: string | null): void;
  setStartupProblem(problem: string | null): void;
}

export const createEngineSlice: StateCreator<MirrorState, [], [], EngineSlice> = (set, get) => ({
  engine: null,
  engineProblem: null,
  startupProblem: null,
  setEngine: (engine) => set({ engine }),
  // Called on every frame: only a real change may notify subscribers.
  setEngineProblem: (engineProblem) => {
    if (get().engineProblem !== engineProblem) set({ engineProblem });
  },
  setStartupProblem: (startupProblem) => set({ startupProblem }),
});
