import type { MirrorApi } from '../../../common/mirror-api.js';
import type { Frame } from '../../../common/frame.js';
import { asByteFrame, toRgba } from '../api/frame-data.js';
import type { RenderThumbnail } from './thumbnail-cache.js';

/** The size of a camera thumbnail: small enough for a control channel, big enough for a tile. */
export const THUMBNAIL_SIZE = { width: 96, height: 72 } as const;

/**
 * Thumbnails for the picker: the painting the model learned from when its folder has one, else the
 * camera's current picture in that style. `grabFrame` gives a 96x72 RGBA camera frame, or null if
 * the camera has no picture.
 */
export function thumbnailRenderer(api: MirrorApi, grabFrame: () => Frame | null): RenderThumbnail {
  return async (model) => {
    if (model.hasStyleImage) {
      const image = await api.styleImage({ id: model.id });
      if (image.ok && image.value !== null) {
        // slice(): a Blob wants bytes of its own, not a view into a message's buffer.
        return URL.createObjectURL(new Blob([image.value.bytes.slice()], { type: image.value.mimeType }));
      }
    }
    const frame = grabFrame();
    if (frame === null) return null;
    // The control channel takes RGBA bytes (canvas pixels are a Uint8ClampedArray view of them).
    const { data, width, height } = asByteFrame(frame);
    const result = await api.modelThumbnail({ id: model.id, frame: { data, width, height, channels: 4 } });
    return result.ok ? frameToDataUrl(result.value) : null;
  };
}

function frameToDataUrl(frame: Frame): string | null {
  const canvas = document.createElement('canvas');
  canvas.width = frame.width;
  canvas.height = frame.height;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return null;
  ctx.putImageData(new ImageData(toRgba(frame), frame.width, frame.height), 0, 0);
  return canvas.toDataURL('image/png');
}
