/**
 * `stylemirror stylize` on videos, through the built CLI with the real ffmpeg and a bundled model:
 * frame count, frame rate, duration and sound as ffprobe reads them from the written file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../main/cli/video/ffmpeg.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FOX = path.resolve(REPO_ROOT, '../shared/video/fox.mp4');

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: REPO_ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
          stderr,
        }),
    );
  });
}

const cli = (args: string[]) => run(process.execPath, [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args]);

interface Probed {
  video: { frames: number; rate: string; duration: number; width: number; height: number };
  audio: { codec: string } | undefined;
}

/** Decodes every frame to count them: what a player sees, not what the header claims. */
async function probe(file: string): Promise<Probed> {
  const { stdout, code, stderr } = await run(ffprobePath(), [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,codec_name,nb_read_frames,r_frame_rate,width,height:format=duration',
    '-of',
    'json',
    file,
  ]);
  expect(code, stderr).toBe(0);
  const json = JSON.parse(stdout) as {
    streams: {
      codec_type: string;
      codec_name: string;
      nb_read_frames?: string;
      r_frame_rate: string;
      width?: number;
      height?: number;
    }[];
    format: { duration: string };
  };
  const video = json.streams.find((s) => s.codec_type === 'video')!;
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  return {
    video: {
      frames: Number(video.nb_read_frames),
      rate: video.r_frame_rate,
      duration: Number(json.format.duration),
      width: video.width!,
      height: video.height!,
    },
    audio: audio === undefined ? undefined : { codec: audio.codec_name },
  };
}

describe('stylemirror stylize <video>', () => {
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-video-'));
    // A 1.2 s clip with sound and an odd size, made here so the test does not depend on ../shared.
    clip = path.join(dir, 'clip.mp4');
    const made = await run(ffmpegPath(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=97x64:rate=25:duration=1.2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=1.2',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv444p',
      '-c:a',
      'aac',
      '-shortest',
      clip,
    ]);
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps frame count, frame rate, duration and sound (MP4)', async () => {
    const output = path.join(dir, 'clip.matta.mp4');
    const result = await cli(['stylize', '-m', 'bundled:matta', '-o', output, clip]);
    expect(result.code, result.stderr).toBe(0);
    const [input, painted] = await Promise.all([probe(clip), probe(output)]);
    expect(painted.video.frames).toBe(input.video.frames);
    expect(painted.video.rate).toBe(input.video.rate);
    expect(Math.abs(painted.video.duration - input.video.duration)).toBeLessThan(0.05);
    // Odd widths are padded by one pixel for 4:2:0.
    expect([painted.video.width, painted.video.height]).toEqual([98, 64]);
    expect(painted.audio).toEqual({ codec: 'aac' });
    expect(result.stdout).toMatch(/30 frames in/);
  });

  it('writes WebM too, with the sound as Opus', async () => {
    const output = path.join(dir, 'clip.webm');
    const result = await cli(['stylize', '-m', 'matta', '-o', output, clip]);
    expect(result.code, result.stderr).toBe(0);
    const painted = await probe(output);
    expect(painted.video.frames).toBe(30);
    expect(painted.audio).toEqual({ codec: 'opus' });
  });

  it.skipIf(!existsSync(FOX))(
    'paints the shared fox video with the same frame count and duration',
    async () => {
      const output = path.join(dir, 'fox.mp4');
      const result = await cli([
        'stylize',
        '-m',
        'bundled:matilde_perez',
        '--size',
        '64x64',
        '-o',
        output,
        FOX,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const [input, painted] = await Promise.all([probe(FOX), probe(output)]);
      expect(painted.video.frames).toBe(input.video.frames);
      expect(painted.video.rate).toBe(input.video.rate);
      expect(Math.abs(painted.video.duration - input.video.duration)).toBeLessThan(0.05);
      expect(painted.audio).toBeUndefined();
    },
  );

  it('refuses a non-video output, and leaves no file for a video it cannot read', async () => {
    const toImage = await cli(['stylize', '-m', 'matta', '-o', path.join(dir, 'x.png'), clip]);
    expect(toImage.code).not.toBe(0);
    expect(toImage.stderr).toMatch(/must be a video file/);

    const broken = path.join(dir, 'broken.mp4');
    await writeFile(broken, Buffer.from('not a video at all'));
    const output = path.join(dir, 'broken.out.mp4');
    const result = await cli(['stylize', '-m', 'matta', '-o', output, broken]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/broken\.mp4 is not a video ffprobe can read/);
    expect(existsSync(output)).toBe(false);
  });
});
