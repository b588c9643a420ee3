import { useEffect, useRef, type RefObject } from 'react';
import type { Settings } from '../../../common/settings-schema.js';
import { realTimers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { CameraKeeper, type CameraMedia } from './camera-keeper.js';

/**
 * Plays the camera chosen in `camera` into `videoRef`'s element through a {@link CameraKeeper}, which
 * keeps the store's camera state, list and error current and gets a lost camera back. Reopens on a
 * settings change and on "Try again" (`retryToken`); stops the camera on unmount, so its light goes
 * off. Returns the keeper, for the stall watchdog.
 */
export function useCamera(
  videoRef: RefObject<HTMLVideoElement | null>,
  camera: Settings['camera'] | null,
  store: MirrorStore,
  retryToken: number,
  onFallback: (message: string) => void,
): RefObject<CameraKeeper<MediaStream> | null> {
  const keeperRef = useRef<CameraKeeper<MediaStream> | null>(null);
  const deviceId = camera?.deviceId ?? null;
  const width = camera?.width ?? 0;
  const height = camera?.height ?? 0;

  // One keeper per camera choice: a new choice (or "Try again") starts afresh, the old one stops.
  useEffect(() => {
    const video = videoRef.current;
    if (video === null || width === 0) return;
    const media = navigator.mediaDevices as MediaDevices | undefined;
    const keeper = new CameraKeeper({
      media: media?.getUserMedia === undefined ? undefined : (media satisfies CameraMedia<MediaStream>),
      screen: {
        play: async (stream) => {
          video.srcObject = stream;
          await video.play();
        },
        clear: (stream) => {
          if (video.srcObject === stream) video.srcObject = null;
        },
      },
      store,
      timers: realTimers,
      onFallback,
    });
    keeperRef.current = keeper;
    keeper.open({ deviceId, width, height });
    return () => {
      keeper.close();
      if (keeperRef.current === keeper) keeperRef.current = null;
    };
  }, [videoRef, store, onFallback, deviceId, width, height, retryToken]);

  return keeperRef;
}
