import { oldPictureWeight } from './crossfade-schedule.js';

/**
 * The last picture painted with the old style, laid over the new style's live frames with a weight
 * that falls to 0 over the crossfade: the change of style never shows a black frame, the raw camera,
 * or a frozen picture (the new style's frames show through as they come).
 */
export class Crossfade {
  private readonly picture: HTMLCanvasElement = document.createElement('canvas');
  private startedAt = 0;
  private durationMs = 0;

  /** Starts a crossfade from what `display` shows now. */
  begin(display: HTMLCanvasElement, now: number, durationMs: number): void {
    this.picture.width = display.width;
    this.picture.height = display.height;
    this.picture.getContext('2d')?.drawImage(display, 0, 0);
    this.startedAt = now;
    this.durationMs = durationMs;
  }

  /** Whether a crossfade is still under way at `now`. */
  active(now: number): boolean {
    return oldPictureWeight(this.startedAt, this.durationMs, now) > 0;
  }

  /** Lays the old picture over what `context` holds, at its weight for `now` (nothing once it is 0). */
  drawOver(context: CanvasRenderingContext2D, now: number): void {
    const weight = oldPictureWeight(this.startedAt, this.durationMs, now);
    if (weight <= 0) return;
    const { width, height } = context.canvas;
    context.save();
    context.globalAlpha = weight;
    context.drawImage(this.picture, 0, 0, width, height);
    context.restore();
  }

  /** Ends any crossfade at once (the stage was resized, or the pump stopped). */
  cancel(): void {
    this.durationMs = 0;
  }
}
