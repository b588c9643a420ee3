/**
 * What main (or browser mode's server) pushes to the page unasked: the page owns the running style,
 * so a remote control's verbs that act on the picture reach it as events. Zod-free at run time: the
 * preload and the page import this, and check an event's shape with {@link parseMirrorEvent}.
 */
import type { Settings } from './settings-schema.js';

/** A verb only the page can carry out: it owns the style switcher and the canvas. */
export type MirrorCommand =
  | { readonly verb: 'style-next' }
  | { readonly verb: 'style-previous' }
  | { readonly verb: 'select-style'; readonly id: string }
  | { readonly verb: 'snapshot' };

export type MirrorEvent =
  /** The settings changed from elsewhere (a remote control): the page takes them as they are. */
  | { readonly kind: 'settings'; readonly settings: Settings }
  | { readonly kind: 'command'; readonly command: MirrorCommand };

export type MirrorEventListener = (event: MirrorEvent) => void;

/** The IPC channel main sends events on (`webContents.send`), and the preload listens to. */
export const MIRROR_EVENT_CHANNEL = 'mirror:event';

const VERBS = new Set<string>(['style-next', 'style-previous', 'select-style', 'snapshot']);

/**
 * `value` as a {@link MirrorEvent}, or undefined when it is not one. Main is trusted to send whole
 * settings (it validated them); this only keeps a garbled message from reaching the controller.
 */
export function parseMirrorEvent(value: unknown): MirrorEvent | undefined {
  if (!isRecord(value)) return undefined;
  if (value['kind'] === 'settings') {
    const settings = value['settings'];
    return isRecord(settings) && typeof settings['version'] === 'number'
      ? { kind: 'settings', settings: settings as unknown as Settings }
      : undefined;
  }
  if (value['kind'] !== 'command' || !isRecord(value['command'])) return undefined;
  const { verb, id } = value['command'];
  if (typeof verb !== 'string' || !VERBS.has(verb)) return undefined;
  if (verb === 'select-style') {
    return typeof id === 'string' && id.length > 0 ? { kind: 'command', command: { verb, id } } : undefined;
  }
  return { kind: 'command', command: { verb } as MirrorCommand };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
