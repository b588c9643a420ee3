import type { ModelInfo } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { Notifier } from './notifier.js';

/** Whether to show the style's name while switching (not when quietly reloading after an engine restart). */
export interface SelectOptions {
  readonly announce?: boolean;
}

/**
 * Switches styles. Loading a model takes the engine a moment; a person holding ArrowRight asks for
 * many meanwhile. Only the last one asked for is loaded next (latest wins, like frames), and a model
 * that fails to load leaves the running one in place with its error on screen.
 */
export class ModelSwitcher {
  private busy = false;
  /** `again`: load it even if it is the one running (the engine's settings for it changed). */
  private wanted: { id: string; announce: boolean; again: boolean } | null = null;

  constructor(
    private readonly api: Pick<MirrorApi, 'selectModel'>,
    private readonly store: MirrorStore,
    private readonly notifier: Notifier,
  ) {}

  /** Loads model `id` (after any load under way). Resolves once nothing more is waiting to load. */
  async select(id: string, options: SelectOptions = {}): Promise<void> {
    return this.want(id, options.announce ?? true, false);
  }

  /**
   * Loads the style running (or the one being switched to) again, quietly: after a change of the
   * settings the engine loads a model with (precision, backend), saved before this is called.
   */
  reload(): Promise<void> {
    const state = this.store.getState();
    const id = this.wanted?.id ?? state.pendingModelId ?? state.currentModelId;
    return id === null ? Promise.resolve() : this.want(id, false, true);
  }

  private async want(id: string, announce: boolean, again: boolean): Promise<void> {
    const model = this.find(id);
    if (model === undefined) return;
    const state = this.store.getState();
    if (!this.busy && state.currentModelId === id && !again) {
      if (announce) this.notifier.model(model, false);
      return;
    }
    this.wanted = { id, announce, again };
    state.setPendingModel(id);
    if (announce) this.notifier.model(model, true);
    if (this.busy) return;

    this.busy = true;
    try {
      while (this.wanted !== null) {
        const next = this.wanted;
        this.wanted = null;
        await this.load(next.id, next.announce, next.again);
      }
    } finally {
      this.busy = false;
      this.store.getState().setPendingModel(null);
    }
  }

  /** The style `delta` places after the current one (or the one being switched to), wrapping around. */
  step(delta: number): Promise<void> {
    const models = this.store.getState().models ?? [];
    if (models.length === 0) return Promise.resolve();
    const from =
      this.wanted?.id ?? this.store.getState().pendingModelId ?? this.store.getState().currentModelId;
    const index = models.findIndex((m) => m.id === from);
    const start = index === -1 ? (delta > 0 ? -1 : 0) : index;
    const target = models[(((start + delta) % models.length) + models.length) % models.length]!;
    return this.select(target.id);
  }

  /** Style number `index` (0-based) in the library's order; nothing if there is no such style. */
  pick(index: number): Promise<void> {
    const model = this.store.getState().models?.[index];
    return model === undefined ? Promise.resolve() : this.select(model.id);
  }

  /** Tries `ids` in order until one loads: at start, when there is no running model to keep. */
  async selectFirstWorking(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.select(id);
      if (this.store.getState().currentModelId !== null) return;
    }
  }

  private async load(id: string, announce: boolean, again: boolean): Promise<void> {
    const model = this.find(id);
    if (model === undefined) return;
    if (this.store.getState().currentModelId === id && this.wanted === null && !again) {
      if (announce) this.notifier.model(model, false);
      return;
    }
    const result = await this.api.selectModel({ id });
    const state = this.store.getState();
    if (result.ok) {
      state.setCurrentModel(id);
      state.setEngine(result.value);
      // Main remembers the model as the last used; keep the page's copy of the settings in step.
      if (state.settings !== null) state.setSettings({ ...state.settings, lastModelId: id });
      if (announce && this.wanted === null) this.notifier.model(model, false);
    } else {
      this.notifier.clearModel(id);
      const keeping = state.models?.find((m) => m.id === state.currentModelId);
      const reason = result.error.message.replace(/(?<![.!?])$/, '.');
      this.notifier.toast(
        'error',
        `Could not load the style "${model.name}": ${reason}` +
          (keeping === undefined ? '' : ` Still showing "${keeping.name}".`),
      );
    }
  }

  private find(id: string): ModelInfo | undefined {
    return this.store.getState().models?.find((m) => m.id === id);
  }
}
