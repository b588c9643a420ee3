import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPathScrubber, HIDDEN_PATH } from '../../main/server/path-scrubber.js';

const home = os.homedir();
const models = path.join(home, 'style models');
const snapshots = path.join(home, 'Pictures', 'Style Mirror');

const scrub = createPathScrubber([
  { path: () => models, name: '<models folder>' },
  { path: () => snapshots, name: '<snapshots folder>' },
  { path: () => null, name: '<nothing>' },
]);

describe('createPathScrubber', () => {
  it.each([
    [
      `Model "Udnie": ${models}/udnie/Variable_3 is missing.`,
      'Model "Udnie": <models folder>/udnie/Variable_3 is missing.',
    ],
    [
      `Could not save the snapshot ${snapshots}/style-mirror-1.png: EACCES.`,
      'Could not save the snapshot <snapshots folder>/style-mirror-1.png: EACCES.',
    ],
    [
      `ENOENT: no such file or directory, open '${home}/.config/x.json'`,
      "ENOENT: no such file or directory, open '~/.config/x.json'",
    ],
    [
      "ENOENT: no such file or directory, open '/etc/passwd'",
      `ENOENT: no such file or directory, open '${HIDDEN_PATH}'`,
    ],
    ['libonnxruntime.so (/usr/lib/x86_64/libonnx.so) failed', `libonnxruntime.so (${HIDDEN_PATH}) failed`],
    ['cannot read C:\\Users\\ada\\models\\x', `cannot read ${HIDDEN_PATH}`],
    ['cannot read \\\\server\\share\\x and D:/y/z', `cannot read ${HIDDEN_PATH} and ${HIDDEN_PATH}`],
    ['see file:///opt/app/worker.js:12', `see ${HIDDEN_PATH}`],
    ['path=/srv/x,next', `path=${HIDDEN_PATH},next`],
  ])('%s', (text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it('leaves texts without absolute paths alone', () => {
    for (const text of [
      'Bad request on settings:update: processingSize.width: too big',
      'at most 1920 px a side, 1/2 of it',
      'see http://localhost:8717/ for the page',
      '<models folder>/udnie/manifest.json is not JSON',
    ]) {
      expect(scrub(text)).toBe(text);
    }
  });

  it('asks for each folder at every use', () => {
    let dir = '/first/place';
    const follow = createPathScrubber([{ path: () => dir, name: '<folder>' }]);
    expect(follow('in /first/place/a')).toBe('in <folder>/a');
    dir = '/second/place';
    expect(follow('in /second/place/a and /first/place/a')).toBe(`in <folder>/a and ${HIDDEN_PATH}`);
  });
});
