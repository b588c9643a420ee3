/**
 * The control channels' names, and each one's function name in the page's API. This is the channel
 * table's key column: the contract (`contract.ts`) gives every channel here its request and response
 * schemas, the mirror service its handler, and everything else (the preload's `window.styleMirror`,
 * `MirrorApi`, both renderer clients, the IPC registration) is derived from these two.
 *
 * It lives apart from the schemas because the preload and the page need the names at run time and
 * must not bundle zod (130 KB, and a `new Function` probe the page's CSP would report).
 */
export const CONTROL_METHODS = {
  'models:list': 'listModels',
  'models:select': 'selectModel',
  'models:style-image': 'styleImage',
  'models:thumbnail': 'modelThumbnail',
  'models:import': 'importModel',
  'models:import-dialog': 'importModelFromDialog',
  'models:rename': 'renameModel',
  'models:remove': 'removeModel',
  'packs:list': 'listPacks',
  'packs:download': 'downloadPack',
  'packs:status': 'packStatus',
  'packs:cancel': 'cancelPackDownload',
  'settings:get': 'getSettings',
  'settings:update': 'updateSettings',
  'settings:warnings': 'settingsWarnings',
  'folders:choose-models': 'chooseModelsFolder',
  'folders:choose-snapshots': 'chooseSnapshotsFolder',
  'snapshot:save': 'saveSnapshot',
  'snapshot:open-folder': 'openSnapshotFolder',
  'recording:save': 'saveRecording',
  'engine:status': 'engineStatus',
  'mirror:report': 'reportPage',
  'displays:list': 'listDisplays',
} as const;

export type ControlChannel = keyof typeof CONTROL_METHODS;

/** The page API's function name for `channel`. */
export type ControlMethod<C extends ControlChannel = ControlChannel> = (typeof CONTROL_METHODS)[C];

/** Every channel, in the table's order. */
export const CONTROL_CHANNEL_NAMES = Object.keys(CONTROL_METHODS) as readonly ControlChannel[];

export function isControlChannel(channel: unknown): channel is ControlChannel {
  return typeof channel === 'string' && Object.hasOwn(CONTROL_METHODS, channel);
}
