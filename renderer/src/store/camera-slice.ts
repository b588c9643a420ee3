import type { StateCreator } from 'zustand/vanilla';
import type { MirrorState } from './mirror-state.js';

/** A camera as the camera select lists it. */
export interface CameraDevice {
  readonly deviceId: string;
  readonly label: string;
}

export interface CameraSlice {
  readonly cameras: readonly CameraDevice[];
  /** What is wrong with the camera, for people (permission denied, no camera, unplugged); null when it works. */
  readonly cameraError: string | null;
  /** The camera's actual capture size once it delivers frames. */
  readonly cameraSize: { readonly width: number; readonly height: number } | null;
  /** Bumped by "Try again": the camera hook reopens the camera when it changes. */
  readonly cameraRetries: number;
  setCameras(cameras: readonly CameraDevice[]): void;
  retryCamera(): void;
  setCameraError(error: string | null): void;
  setCameraSize(size: { readonly width: number; readonly height: number } | null): void;
}

export const createCameraSlice: StateCreator<MirrorState, [], [], CameraSlice> = (set, get) => ({
  cameras: [],
  cameraRetries: 0,
  retryCamera: () => set({ cameraRetries: get().cameraRetries + 1 }),
  cameraError: null,
  cameraSize: null,
  setCameras: (cameras) => set({ cameras }),
  setCameraError: (cameraError) => set({ cameraError }),
  setCameraSize: (cameraSize) => set({ cameraSize }),
});
