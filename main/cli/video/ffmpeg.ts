/**
 * Video in and out through ffmpeg, streamed frame by frame as raw RGB over pipes: nothing is extracted
 * to disk, and memory holds a frame or two whatever the video's length. The ffmpeg and ffprobe binaries
 * come from npm packages (@ffmpeg-installer, @ffprobe-installer), so nothing is downloaded at install
 * beyond the npm registry and a workshop laptop needs no ffmpeg of its own.
 */
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import path from 'node:path';
import type { Frame } from '../../../common/frame.js';

const require = createRequire(import.meta.url);

/** File types `stylize` treats as video. */
export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.m4v', '.mkv', '.webm', '.avi'] as const;

export function isVideoFile(file: string): boolean {
  return (VIDEO_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

export function ffmpegPath(): string {
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export function ffprobePath(): string {
  return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** The frame rate as ffprobe gives it, exactly ("2997/100"), so the output keeps the same timing. */
  readonly frameRate: string;
  /** Frames in the video stream, when the container says (most do). */
  readonly frames: number | undefined;
  /** Seconds. */
  readonly duration: number;
  readonly hasAudio: boolean;
}

/** Reads a video's first video stream and whether it has sound. */
export async function probeVideo(file: string): Promise<VideoInfo> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      ffprobePath(),
      [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,width,height,r_frame_rate,nb_frames:format=duration',
        '-of',
        'json',
        file,
      ],
      { maxBuffer: 1024 * 1024 },
      (error, out, err) => {
        if (error)
          reject(new Error(`${file} is not a video ffprobe can read: ${firstLine(err) || error.message}`));
        else resolve(out);
      },
    );
  });
  const parsed = JSON.parse(stdout) as {
    streams?: {
      codec_type?: string;
      width?: number;
      height?: number;
      r_frame_rate?: string;
      nb_frames?: string;
    }[];
    format?: { duration?: string };
  };
  const video = parsed.streams?.find((s) => s.codec_type === 'video');
  if (video?.width === undefined || video.height === undefined || video.r_frame_rate === undefined) {
    throw new Error(`${file} has no video stream.`);
  }
  const frames = Number(video.nb_frames);
  return {
    width: video.width,
    height: video.height,
    frameRate: video.r_frame_rate,
    frames: Number.isInteger(frames) && frames > 0 ? frames : undefined,
    duration: Number(parsed.format?.duration ?? NaN),
    hasAudio: parsed.streams?.some((s) => s.codec_type === 'audio') ?? false,
  };
}

/**
 * The video's frames as RGB, in order, each exactly as decoded: passthrough timing, so no frame is
 * dropped or duplicated to fit a rate.
 */
export async function* decodeVideoFrames(file: string, info: VideoInfo): AsyncGenerator<Frame> {
  const frameBytes = info.width * info.height * 3;
  const ffmpeg = spawn(ffmpegPath(), [
    '-v',
    'error',
    '-nostdin',
    '-i',
    file,
    '-map',
    '0:v:0',
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
  const stderr = collect(ffmpeg);
  const exited = once(ffmpeg, 'close') as Promise<[number | null]>;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of ffmpeg.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        // A copy: the consumer may keep the frame while the next ones arrive.
        const data = new Uint8Array(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        yield { data, width: info.width, height: info.height, channels: 3 };
      }
    }
    const [code] = await exited;
    if (code !== 0) throw new Error(`ffmpeg could not decode ${file}: ${firstLine(stderr())}`);
  } finally {
    if (ffmpeg.exitCode === null) ffmpeg.kill('SIGKILL');
  }
}

export interface VideoEncoder {
  /** Queues one RGB frame; resolves when ffmpeg is ready for more (backpressure). */
  write(frame: Frame): Promise<void>;
  /** Closes the stream and waits for the file. */
  finish(): Promise<void>;
  /** Stops ffmpeg and leaves no file behind. */
  abort(): void;
}

/**
 * Writes RGB frames to `output` at `info`'s size and exact frame rate, H.264 for .mp4/.mov/.mkv and
 * VP9 for .webm, with the sound of `audioFrom` copied across untouched (re-encoded to Opus for WebM).
 */
export function encodeVideo(output: string, info: VideoInfo, audioFrom: string | undefined): VideoEncoder {
  const webm = path.extname(output).toLowerCase() === '.webm';
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${info.width}x${info.height}`,
    '-r',
    info.frameRate,
    '-i',
    'pipe:0',
  ];
  if (audioFrom !== undefined) args.push('-i', audioFrom, '-map', '0:v:0', '-map', '1:a?');
  args.push(
    ...(webm
      ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-row-mt', '1']
      : ['-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-movflags', '+faststart']),
    // 4:2:0 needs even sides: pad one pixel rather than refuse odd-sized videos.
    '-vf',
    'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-pix_fmt',
    'yuv420p',
    '-vsync',
    'passthrough',
  );
  if (audioFrom !== undefined) args.push(...(webm ? ['-c:a', 'libopus'] : ['-c:a', 'copy']));
  args.push(output);
  const ffmpeg = spawn(ffmpegPath(), args);
  const stderr = collect(ffmpeg);
  const exited = once(ffmpeg, 'close') as Promise<[number | null]>;
  // A write after ffmpeg died would throw EPIPE asynchronously: keep it for finish() instead.
  let pipeError: Error | undefined;
  ffmpeg.stdin.on('error', (error) => (pipeError = error));

  return {
    async write(frame) {
      if (frame.channels !== 3 || frame.width !== info.width || frame.height !== info.height) {
        throw new Error(
          `A ${frame.width}x${frame.height}x${frame.channels} frame does not fit the ${info.width}x${info.height} RGB video.`,
        );
      }
      if (pipeError !== undefined || ffmpeg.exitCode !== null) {
        throw new Error(`ffmpeg stopped writing ${output}: ${firstLine(stderr()) || pipeError?.message}`);
      }
      if (!ffmpeg.stdin.write(frame.data)) await Promise.race([once(ffmpeg.stdin, 'drain'), exited]);
    },
    async finish() {
      ffmpeg.stdin.end();
      const [code] = await exited;
      if (code !== 0) throw new Error(`ffmpeg could not write ${output}: ${firstLine(stderr())}`);
    },
    abort() {
      ffmpeg.kill('SIGKILL');
    },
  };
}

/** The last 8 KiB of a process's stderr, for error messages. */
function collect(child: ChildProcessWithoutNullStreams): () => string {
  let text = '';
  child.stderr.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-8192);
  });
  return () => text;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
