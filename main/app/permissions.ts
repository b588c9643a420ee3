import type { MediaAccessPermissionRequest, Session } from 'electron';
import { isRendererUrl } from './app-origin.js';
import type { OwnWindows } from './window.js';

/** One permission question, as both of Electron's handlers (request and check) can describe it. */
export interface PermissionAsk {
  readonly permission: string;
  /** Whether the asking page is in one of our windows. */
  readonly fromOwnWindow: boolean;
  readonly isMainFrame: boolean;
  /** Every URL or origin Electron gave for the asker; all must be our renderer's, and at least one given. */
  readonly origins: readonly (string | null | undefined)[];
  /** For `media`: the devices asked for (`video`, `audio`, or `unknown`). */
  readonly mediaTypes?: readonly string[] | undefined;
}

/**
 * Whether to grant a permission. Only our own page (app://renderer, the main frame of our window)
 * gets anything, and only:
 * - `media` for the camera alone: the mirror never needs a microphone;
 * - `fullscreen`: the renderer's F11 and double-click use the page's Fullscreen API, which Electron
 *   routes through this same handler; a gallery-wall mirror must be able to fill the screen.
 * Everything else (notifications, geolocation, clipboard, MIDI, HID/USB/serial...) is refused.
 */
export function decidePermission(ask: PermissionAsk): boolean {
  const given = ask.origins.filter((o): o is string => typeof o === 'string' && o !== '');
  const fromOurPage =
    ask.fromOwnWindow && ask.isMainFrame && given.length > 0 && given.every((o) => isRendererUrl(o));
  if (!fromOurPage) return false;
  switch (ask.permission) {
    case 'media': {
      const types = ask.mediaTypes ?? [];
      return types.length > 0 && types.every((t) => t === 'video');
    }
    case 'fullscreen':
      return true;
    default:
      return false;
  }
}

/**
 * Installs the permission request and check handlers (Chromium checks before it asks, so both are
 * needed) and refuses every HID/USB/serial device.
 */
export function setupPermissions(session: Session, ownWindows: OwnWindows): void {
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    // Only `media` and `display-capture` requests carry these; for the rest they are undefined.
    const { mediaTypes, securityOrigin } = details as MediaAccessPermissionRequest;
    callback(
      decidePermission({
        permission,
        fromOwnWindow: ownWindows.has(webContents),
        isMainFrame: details.isMainFrame,
        origins: [details.requestingUrl, securityOrigin],
        mediaTypes,
      }),
    );
  });
  session.setPermissionCheckHandler((webContents, permission, requestingOrigin, details) =>
    decidePermission({
      permission,
      fromOwnWindow: ownWindows.has(webContents),
      isMainFrame: details.isMainFrame,
      origins: [requestingOrigin, details.requestingUrl, details.securityOrigin, details.embeddingOrigin],
      mediaTypes: details.mediaType === undefined ? undefined : [details.mediaType],
    }),
  );
  session.setDevicePermissionHandler(() => false);
}
