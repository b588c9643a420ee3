import type { ModelInfo } from '../../../common/contract.js';

/** Makes one model's thumbnail: an image URL, or null if it cannot be made now. */
export type RenderThumbnail = (model: ModelInfo) => Promise<string | null>;

/**
 * The picker's thumbnails: each made once per session, on first need, one at a time (a thumbnail
 * from the camera runs the engine, and the live mirror shares it). A thumbnail that could not be
 * made (no camera picture yet) is tried again the next time it is asked for.
 */
export class ThumbnailCache {
  private readonly made = new Map<string, string>();
  private readonly making = new Map<string, Promise<string | null>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly render: RenderThumbnail) {}

  /** The thumbnail's URL if it is made already. */
  peek(modelId: string): string | undefined {
    return this.made.get(modelId);
  }

  /** The thumbnail's URL, making it if needed; null if it could not be made. */
  get(model: ModelInfo): Promise<string | null> {
    const made = this.made.get(model.id);
    if (made !== undefined) return Promise.resolve(made);
    const making = this.making.get(model.id);
    if (making !== undefined) return making;
    const next = this.queue
      .then(() => this.render(model))
      .catch(() => null)
      .then((url) => {
        this.making.delete(model.id);
        if (url !== null) this.made.set(model.id, url);
        return url;
      });
    this.making.set(model.id, next);
    this.queue = next;
    return next;
  }
}
