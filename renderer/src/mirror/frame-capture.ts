import { coverCrop, type Size } from './cover-crop.js';

/**
 * Takes pictures off the camera's video element at a given size: cropped to that size's aspect
 * ratio (the middle of the picture, nothing stretched), flipped left-right when mirroring.
 */
export class FrameCapture {
  private readonly canvas = document.createElement('canvas');
  // Read back on every frame: keep the pixels in CPU memory rather than round-trip through the GPU.
  private readonly context = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false });

  /** The video's current picture at `size`, or null if the video has no picture yet. */
  capture(video: HTMLVideoElement, size: Size, mirror: boolean): ImageData | null {
    const ctx = this.context;
    if (ctx === null || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0)
      return null;
    if (this.canvas.width !== size.width) this.canvas.width = size.width;
    if (this.canvas.height !== size.height) this.canvas.height = size.height;
    const { sx, sy, sw, sh } = coverCrop({ width: video.videoWidth, height: video.videoHeight }, size);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'medium';
    ctx.setTransform(mirror ? -1 : 1, 0, 0, 1, mirror ? size.width : 0, 0);
    ctx.drawImage(video, sx, sy, sw, sh, 0, 0, size.width, size.height);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return ctx.getImageData(0, 0, size.width, size.height);
  }
}
