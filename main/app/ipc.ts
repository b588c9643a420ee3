import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import {
  CONTROL_CHANNELS,
  dispatchControl,
  type ControlChannel,
  type ControlHandlers,
  type Result,
} from '../../common/contract.js';
import { isRendererUrl } from './app-origin.js';
import type { OwnWindows } from './window.js';

/** What the trust check needs to know about an IPC message's sender. */
export interface SenderInfo {
  /** The sending webContents' id. */
  readonly webContentsId: number;
  /** The sending frame, or null when it navigated away or was destroyed before we looked. */
  readonly frame: { readonly url: string; readonly isMainFrame: boolean } | null;
}

/**
 * Whether an IPC message comes from our renderer: the main frame (not an iframe) of one of our own
 * windows, showing app://renderer. Everything else (another window, a subframe, a page that
 * navigated elsewhere, a frame already gone) is refused.
 */
export function isTrustedSender(sender: SenderInfo, ownWebContentsIds: ReadonlySet<number>): boolean {
  return (
    ownWebContentsIds.has(sender.webContentsId) &&
    sender.frame !== null &&
    sender.frame.isMainFrame &&
    isRendererUrl(sender.frame.url)
  );
}

/**
 * Reads the sender off an Electron IPC event. A sender that throws when asked (its webContents or
 * frame already destroyed) reads as unknown, and so untrusted.
 */
export function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  try {
    const frame = event.senderFrame;
    return {
      webContentsId: event.sender.id,
      frame: frame === null ? null : { url: frame.url, isMainFrame: frame.parent === null },
    };
  } catch {
    return { webContentsId: -1, frame: null };
  }
}

const FORBIDDEN: Result<never> = {
  ok: false,
  error: {
    code: 'forbidden',
    message: "Only Style Mirror's own window may call the app; this sender is not it.",
  },
};

/**
 * Answers every control channel on `ipcMain`: checks the sender, then validates and dispatches
 * through the contract, so that a handler only ever sees a well-formed request from our page.
 * Handlers never throw across IPC: every answer is a `Result`.
 */
export function setupIpc(
  handlers: ControlHandlers,
  ownWindows: OwnWindows,
  log: (line: string) => void = (line) => console.warn(`Style Mirror: ${line}`),
): void {
  for (const channel of Object.keys(CONTROL_CHANNELS) as ControlChannel[]) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(senderInfo(event), ownWindows.webContentsIds)) {
        log(`refused a ${channel} call from outside the app's own page.`);
        return FORBIDDEN;
      }
      return dispatchControl(handlers, channel, payload);
    });
  }
}
