/** A camera as `enumerateDevices` lists it (the fields the choice reads). */
export interface ListedCamera {
  readonly deviceId: string;
  readonly groupId: string;
  readonly label: string;
}

/** What is known of the saved camera from when it last worked: its id may change when it is plugged in again. */
export interface KnownCamera {
  readonly deviceId: string;
  readonly groupId: string;
  readonly label: string;
}

/**
 * Which camera to open: `deviceId` for an exact one, null for the system's default. `fallback` says
 * the chosen camera is not there and another one is used instead (the person is told).
 */
export interface CameraChoice {
  readonly deviceId: string | null;
  readonly fallback: boolean;
}

/**
 * Picks the camera to open for the saved `savedId` among the cameras listed now. The saved one when
 * it is listed; else the camera that worked last under a new id (same label, else same group: a
 * camera plugged in again may come back under a new device id); else any camera. Without a usable
 * list (no permission yet: ids are empty) it asks for the saved one and lets getUserMedia decide.
 */
export function chooseCamera(
  savedId: string | null,
  known: KnownCamera | null,
  listed: readonly ListedCamera[] | null,
): CameraChoice {
  const cameras = (listed ?? []).filter((c) => c.deviceId !== '');
  if (savedId === null || savedId === '') return { deviceId: null, fallback: false };
  if (cameras.length === 0 || cameras.some((c) => c.deviceId === savedId)) {
    return { deviceId: savedId, fallback: false };
  }
  const same =
    known === null
      ? undefined
      : (cameras.find((c) => known.label !== '' && c.label === known.label) ??
        cameras.find((c) => known.groupId !== '' && c.groupId === known.groupId));
  // The same camera back under a new id is not a fallback: it is the camera the person chose.
  if (same !== undefined) return { deviceId: same.deviceId, fallback: false };
  return { deviceId: null, fallback: true };
}
