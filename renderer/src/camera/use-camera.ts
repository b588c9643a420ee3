import { useEffect, useState, type RefObject } from 'react';
import type { Settings } from '../../../common/settings-schema.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { CameraDevice } from '../store/camera-slice.js';
import { videoConstraints } from './camera-constraints.js';
import {
  CAMERA_GONE_MESSAGE,
  describeCameraError,
  isMissingDeviceError,
  NO_CAMERA_API_MESSAGE,
} from './camera-errors.js';

/**
 * Plays the camera chosen in `camera` into `videoRef`'s element, and keeps the store's camera list
 * and camera error current. Reopens on a settings change, on "Try again" (`retryToken`), and when
 * cameras come and go while there is none working; stops the old camera's tracks every time, and on
 * unmount, so its light goes off.
 */
export function useCamera(
  videoRef: RefObject<HTMLVideoElement | null>,
  camera: Settings['camera'] | null,
  store: MirrorStore,
  retryToken: number,
  onFallback: (message: string) => void,
): void {
  const [deviceChanges, setDeviceChanges] = useState(0);
  const deviceId = camera?.deviceId ?? null;
  const width = camera?.width ?? 0;
  const height = camera?.height ?? 0;

  // The camera list, now and whenever a camera is plugged in or out.
  useEffect(() => {
    const media = navigator.mediaDevices as MediaDevices | undefined;
    if (media === undefined) return;
    const onChange = (): void => {
      void listCameras(store);
      // Only a camera that is not working is worth retrying when the devices change.
      if (store.getState().cameraError !== null) setDeviceChanges((n) => n + 1);
    };
    void listCameras(store);
    media.addEventListener('devicechange', onChange);
    return () => media.removeEventListener('devicechange', onChange);
  }, [store]);

  useEffect(() => {
    const video = videoRef.current;
    if (video === null || width === 0) return;
    const media = navigator.mediaDevices as MediaDevices | undefined;
    if (media?.getUserMedia === undefined) {
      store.getState().setCameraError(NO_CAMERA_API_MESSAGE);
      return;
    }
    const settings = { deviceId, width, height };
    let stream: MediaStream | null = null;
    let cancelled = false;
    const onEnded = (): void => {
      if (!cancelled) store.getState().setCameraError(CAMERA_GONE_MESSAGE);
    };

    void (async () => {
      try {
        stream = await media.getUserMedia({ video: videoConstraints(settings), audio: false });
      } catch (error) {
        if (cancelled) return;
        if (deviceId === null || !isMissingDeviceError(error)) {
          store.getState().setCameraError(describeCameraError(error));
          return;
        }
        // The chosen camera is gone: the default one is better than a black wall.
        try {
          stream = await media.getUserMedia({ video: videoConstraints(settings, false), audio: false });
          onFallback('The chosen camera is not connected: showing the default camera instead.');
        } catch (fallbackError) {
          if (!cancelled) store.getState().setCameraError(describeCameraError(fallbackError));
          return;
        }
      }
      if (cancelled) {
        stopTracks(stream);
        return;
      }
      for (const track of stream.getVideoTracks()) track.addEventListener('ended', onEnded);
      video.srcObject = stream;
      try {
        await video.play();
      } catch (error) {
        // play() is interrupted when the stream is replaced meanwhile: that is not a camera problem.
        if (!cancelled) store.getState().setCameraError(describeCameraError(error));
        return;
      }
      if (cancelled) return;
      store.getState().setCameraError(null);
      // Labels are only readable once the page has camera permission: list again now.
      void listCameras(store);
    })();

    return () => {
      cancelled = true;
      if (stream !== null) {
        for (const track of stream.getVideoTracks()) track.removeEventListener('ended', onEnded);
        stopTracks(stream);
      }
      if (video.srcObject === stream) video.srcObject = null;
    };
  }, [videoRef, store, deviceId, width, height, retryToken, deviceChanges, onFallback]);
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

async function listCameras(store: MirrorStore): Promise<void> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const cameras: CameraDevice[] = devices
      .filter((d) => d.kind === 'videoinput' && d.deviceId !== '')
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label !== '' ? d.label : `Camera ${i + 1}` }));
    store.getState().setCameras(cameras);
  } catch {
    // Without a list the select offers the default camera only; the mirror itself is unaffected.
  }
}
