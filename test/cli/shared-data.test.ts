/** The benches' fake cameras: the fox video, and the same frames declared faster. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fasterFoxCamera, FOX_VIDEO } from '../../main/cli/shared-data.js';
import { parseY4m } from '../../main/cli/y4m.js';

(existsSync(FOX_VIDEO) ? describe : describe.skip)('fasterFoxCamera', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writes the fox video with its rate in the header raised, every frame as it was', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-camera-'));
    const camera = await fasterFoxCamera(30, dir);
    const file = /^--use-file-for-fake-video-capture=(.+)$/.exec(camera.args[0]!)![1]!;
    expect(path.dirname(file)).toBe(dir);
    expect(camera.source).toMatch(/fox_320x240_15fps\.y4m played at 30 fps$/);

    const original = parseY4m(await readFile(FOX_VIDEO));
    const faster = parseY4m(await readFile(file));
    expect(original.header.frameRate).toBe('15:1');
    expect(faster.header.frameRate).toBe('30:1');
    expect(faster.header.line).toBe(original.header.line.replace('F15:1', 'F30:1'));
    expect(faster.frames).toHaveLength(original.frames.length);
    const last = original.frames.length - 1;
    expect(Buffer.compare(faster.frames[last]!.y, original.frames[last]!.y)).toBe(0);
    expect(Buffer.compare(faster.frames[last]!.v, original.frames[last]!.v)).toBe(0);
  });
});
