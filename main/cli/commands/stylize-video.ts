/**
 * `stylemirror stylize` for a video: every frame through the loaded model, streamed (ffmpeg decodes to
 * raw RGB, the engine paints, ffmpeg encodes), with the same frame count, frame rate and duration as
 * the input and its sound copied across.
 */
import { rm } from 'node:fs/promises';
import type { StylizeOptions } from '../../../common/engine-types.js';
import type { Engine } from '../../engine/engine.js';
import { lumaSignature } from '../../../common/temporal/frame-change.js';
import { FrameStabilizer } from '../../../common/temporal/stabilizer.js';
import { startProgress } from '../progress.js';
import { decodeVideoFrames, encodeVideo, isVideoFile, probeVideo } from '../video/ffmpeg.js';

export interface VideoResult {
  readonly frames: number;
  readonly seconds: number;
}

export async function stylizeVideo(
  engine: Engine,
  input: string,
  output: string,
  options: StylizeOptions,
  log: (line: string) => void,
  stabilize = false,
): Promise<VideoResult> {
  if (!isVideoFile(output)) {
    throw new Error(`The output of a video must be a video file (.mp4, .webm, .mov, .mkv), got ${output}.`);
  }
  const info = await probeVideo(input);
  log(
    `${input}: ${info.width}x${info.height}, ${info.frames ?? 'unknown'} frames at ${info.frameRate} fps, ` +
      `${info.duration.toFixed(2)} s${info.hasAudio ? ', with sound' : ''}`,
  );
  const encoder = encodeVideo(output, info, info.hasAudio ? input : undefined);
  const progress = startProgress(info.frames, 'frames');
  const started = performance.now();
  let frames = 0;
  // It starts afresh by itself on a scene cut, so a video of several shots needs nothing more.
  const stabilizer = stabilize ? new FrameStabilizer() : undefined;
  try {
    for await (const frame of decodeVideoFrames(input, info)) {
      const { frame: result } = await engine.stylize(frame, options);
      const painted = stabilizer?.stabilize(lumaSignature(frame), result) ?? result;
      await encoder.write(painted);
      frames += 1;
      progress?.tick();
    }
    await encoder.finish();
  } catch (error) {
    encoder.abort();
    await rm(output, { force: true });
    throw error;
  } finally {
    progress?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  log(
    `${input} -> ${output}  ${frames} frames in ${seconds.toFixed(1)} s (${(frames / seconds).toFixed(1)} fps)`,
  );
  return { frames, seconds };
}
