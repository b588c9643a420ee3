import type { MirrorApi } from '../../../common/mirror-api.js';
import type { Settings, SettingsPatch } from '../../../common/settings-schema.js';
import { applySettingsPatch, mergeSettingsPatches } from '../../../common/settings-patch.js';
import type { MirrorStore } from '../store/mirror-store.js';

/**
 * Applies settings changes at once and saves them behind the scenes. A slider drag makes dozens of
 * changes a second: the mirror follows each immediately, while saves go one at a time, the changes
 * made during a save merged into the next one. A failed save puts the last saved settings back (with
 * any later changes on top) and says why.
 */
export class SettingsSaver {
  private saving = false;
  /** The save loop under way (or the last): every change made meanwhile resolves when it ends. */
  private savingAll: Promise<void> = Promise.resolve();
  private queued: SettingsPatch | null = null;
  /** The settings as last saved: what a failed save falls back to. */
  private saved: Settings | null = null;

  constructor(
    private readonly api: Pick<MirrorApi, 'updateSettings'>,
    private readonly store: MirrorStore,
    private readonly onError: (message: string) => void,
  ) {}

  /** Settings just read from the app: the base every change applies to. */
  loaded(settings: Settings): void {
    this.saved = settings;
    this.store.getState().setSettings(settings);
  }

  /**
   * Applies `patch` now and saves it. Resolves once it (and everything queued with it) is saved, or
   * failed to: what must follow the save (reloading the model for a new precision) can wait for it.
   */
  change(patch: SettingsPatch): Promise<void> {
    const current = this.store.getState().settings;
    if (current === null) return Promise.resolve(); // Nothing to change before settings are loaded.
    this.store.getState().setSettings(applySettingsPatch(current, patch));
    this.queued = this.queued === null ? patch : mergeSettingsPatches(this.queued, patch);
    if (!this.saving) this.savingAll = this.saveQueued();
    return this.savingAll;
  }

  private async saveQueued(): Promise<void> {
    // The flag, not the promise, says whether a loop runs: it drops in the same step as the loop ends.
    this.saving = true;
    try {
      while (this.queued !== null) {
        const sending = this.queued;
        this.queued = null;
        const result = await this.api.updateSettings(sending);
        if (result.ok) {
          this.saved = result.value;
        } else {
          this.onError(`Could not save settings: ${result.error.message}`);
        }
        // The saved settings, plus whatever changed while this save was on its way.
        if (this.saved !== null) {
          this.store
            .getState()
            .setSettings(this.queued === null ? this.saved : applySettingsPatch(this.saved, this.queued));
        }
      }
    } finally {
      this.saving = false;
    }
  }
}
