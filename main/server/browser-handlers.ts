import type { ControlHandlers } from '../../common/contract.js';
import { processingSizeProblem } from './client-message.js';

/** A request browser mode turns down whatever the contract allows; `code` says which kind. */
export class BrowserModeRefusal extends Error {
  override readonly name = 'BrowserModeRefusal';

  constructor(
    readonly code: 'forbidden' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Settings that belong to whoever started `stylemirror serve`: a page (perhaps on another machine)
 * that could re-point them could make the server read models from, and write snapshots into, any
 * folder it can reach.
 */
export const OPERATOR_SETTINGS = ['modelsDir', 'snapshotsDir'] as const;

/**
 * The control handlers as browser mode serves them to pages: the same handlers, except that a
 * settings change may not touch the folders or ask for a processing size beyond browser mode's.
 */
export function browserModeHandlers(handlers: ControlHandlers): ControlHandlers {
  return {
    ...handlers,
    'recording:save': async () => {
      throw new BrowserModeRefusal(
        'forbidden',
        'In browser mode the page downloads its recordings itself; the server keeps none.',
      );
    },
    'settings:update': async (patch) => {
      const folders = OPERATOR_SETTINGS.filter((key) => Object.hasOwn(patch, key));
      if (folders.length > 0) {
        throw new BrowserModeRefusal(
          'forbidden',
          `In browser mode a page cannot change ${folders.join(' or ')}: the models and snapshots ` +
            'folders are chosen by whoever started `stylemirror serve` (--models, --snapshots).',
        );
      }
      const problem = patch.processingSize && processingSizeProblem(patch.processingSize);
      if (problem) throw new BrowserModeRefusal('too-large', `processingSize: ${problem}`);
      return handlers['settings:update'](patch);
    },
  };
}
