/**
 * What to tell a person when the camera cannot be used, from getUserMedia's error. The names are
 * the DOMException names browsers use (plus Chrome's older ones); the message says what to do.
 */
export function describeCameraError(error: unknown): string {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  const detail =
    typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'Style Mirror is not allowed to use the camera. Allow camera access for this page (and for the app in the system’s privacy settings), then reload.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera found. Connect a camera: the mirror starts as soon as one appears.';
    case 'NotReadableError':
    case 'TrackStartError':
      return 'The camera could not be started: another program may be using it. Close that program; the mirror tries again when the camera changes, or choose “Try again”.';
    case 'AbortError':
      return `The camera stopped while starting (${detail}). Choose “Try again”.`;
    default:
      return `The camera could not be opened: ${detail}`;
  }
}

/** The camera was unplugged (or the system took it away) while the mirror was using it. */
export const CAMERA_GONE_MESSAGE =
  'The camera was disconnected. Reconnect it, or choose another camera in the controls: the mirror starts again by itself.';

/** The page is not a secure context (or the browser has no camera API at all). */
export const NO_CAMERA_API_MESSAGE =
  'This page cannot use a camera: browsers allow cameras only on https:// pages or on this computer (localhost). Open Style Mirror at its local address, or use the desktop app.';

/** Whether `error` means the chosen camera is not there (so falling back to the default camera is right). */
export function isMissingDeviceError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  return name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError';
}
