import type { Settings } from '../../../common/settings-schema.js';

/** A video constraint in getUserMedia's shape (kept DOM-free so it is testable in Node). */
export interface VideoConstraints {
  readonly deviceId?: { readonly exact: string };
  readonly width: { readonly ideal: number };
  readonly height: { readonly ideal: number };
}

/**
 * getUserMedia's video constraints for the camera settings. The device is `exact`: asked for a camera
 * that is gone, the browser must fail (so the mirror can say so) rather than quietly pick another. The
 * size is `ideal`: cameras offer a few fixed sizes and the nearest one is fine, since frames are
 * scaled to the processing size anyway.
 */
export function videoConstraints(camera: Settings['camera'], useDevice = true): VideoConstraints {
  return {
    ...(useDevice && camera.deviceId !== null && camera.deviceId !== ''
      ? { deviceId: { exact: camera.deviceId } }
      : {}),
    width: { ideal: camera.width },
    height: { ideal: camera.height },
  };
}

/** Capture resolutions the controls offer, as "WIDTHxHEIGHT". */
export const CAPTURE_RESOLUTIONS = ['640x480', '1280x720', '1920x1080'] as const;
