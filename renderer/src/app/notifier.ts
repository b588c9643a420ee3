import type { ModelInfo } from '../../../common/contract.js';
import { realTimers, type Timers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { Toast } from '../store/ui-slice.js';

/** How long a style's name stays up once it is showing. */
export const MODEL_TOAST_MS = 1500;
/** A warning (settings that cannot be kept) stays long enough to be read on a mirror nobody watches. */
const TOAST_MS: Readonly<Record<Toast['kind'], number>> = {
  snapshot: 5000,
  info: 5000,
  error: 8000,
  warning: 30_000,
};

/** Shows toasts in the store and takes them down again after a while. */
export class Notifier {
  private modelToastTimer: unknown;

  constructor(
    private readonly store: MirrorStore,
    private readonly timers: Timers = realTimers,
  ) {}

  toast(kind: Toast['kind'], text: string): void {
    const id = this.store.getState().pushToast(kind, text);
    this.timers.setTimeout(() => this.store.getState().dismissToast(id), TOAST_MS[kind]);
  }

  /** Shows `model`'s name: for as long as it loads, then `MODEL_TOAST_MS` more. */
  model(model: ModelInfo, loading: boolean): void {
    this.timers.clearTimeout(this.modelToastTimer);
    this.store.getState().setModelToast({ modelId: model.id, name: model.name, loading });
    if (!loading) {
      this.modelToastTimer = this.timers.setTimeout(() => {
        if (this.store.getState().modelToast?.modelId === model.id) this.store.getState().setModelToast(null);
      }, MODEL_TOAST_MS);
    }
  }

  /** Takes the style's name down now (its load failed; an error toast says why). */
  clearModel(modelId: string): void {
    if (this.store.getState().modelToast?.modelId !== modelId) return;
    this.timers.clearTimeout(this.modelToastTimer);
    this.store.getState().setModelToast(null);
  }
}
