import { createContext, useContext } from 'react';
import type { MirrorController } from '../app/mirror-controller.js';
import type { KioskGate } from '../kiosk/kiosk-gate.js';
import { CanvasRecorder } from '../mirror/recorder.js';
import type { ThumbnailCache } from './thumbnail-cache.js';

/**
 * The page's elements that non-React code draws into or reads from: the stylized canvas (what
 * snapshots save) and the camera's video element (what thumbnails are taken from).
 */
export class Surfaces {
  /** Records what the display canvas shows (R). */
  readonly recorder = new CanvasRecorder();
  private displayCanvas: HTMLCanvasElement | null = null;
  private videoElement: HTMLVideoElement | null = null;

  get display(): HTMLCanvasElement | null {
    return this.displayCanvas;
  }

  get video(): HTMLVideoElement | null {
    return this.videoElement;
  }

  /** The stage mounted its elements; the returned function forgets them again. */
  attach(video: HTMLVideoElement, display: HTMLCanvasElement): () => void {
    this.videoElement = video;
    this.displayCanvas = display;
    return () => {
      if (this.videoElement === video) this.videoElement = null;
      if (this.displayCanvas === display) this.displayCanvas = null;
    };
  }
}

/** What every component may reach: the controller (actions), the surfaces, the thumbnails, kiosk mode's lock. */
export interface AppServices {
  readonly controller: MirrorController;
  readonly kiosk: KioskGate;
  readonly surfaces: Surfaces;
  readonly thumbnails: ThumbnailCache;
}

export const AppContext = createContext<AppServices | null>(null);

/** The app's services; only inside `<AppContext value={...}>`. */
export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (services === null) throw new Error('useServices() needs <AppContext> around the component tree.');
  return services;
}
