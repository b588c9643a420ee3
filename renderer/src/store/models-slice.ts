import type { StateCreator } from 'zustand/vanilla';
import type { ModelInfo } from '../../../common/contract.js';
import type { MirrorState } from './mirror-state.js';

export interface ModelsSlice {
  /** The model library; null until it has been listed. */
  readonly models: readonly ModelInfo[] | null;
  /** The model the engine is running. */
  readonly currentModelId: string | null;
  /** The model being loaded, if a switch is under way. */
  readonly pendingModelId: string | null;
  setModels(models: readonly ModelInfo[]): void;
  setCurrentModel(id: string | null): void;
  setPendingModel(id: string | null): void;
}

export const createModelsSlice: StateCreator<MirrorState, [], [], ModelsSlice> = (set) => ({
  models: null,
  currentModelId: null,
  pendingModelId: null,
  setModels: (models) => set({ models }),
  setCurrentModel: (currentModelId) => set({ currentModelId }),
  setPendingModel: (pendingModelId) => set({ pendingModelId }),
});
