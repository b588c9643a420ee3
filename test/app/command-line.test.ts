import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandLineError,
  kioskOverride,
  modelsDirOverride,
  remoteOverrides,
} from '../../main/app/command-line.js';

describe('modelsDirOverride', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-cli-'));
    await writeFile(path.join(dir, 'a-file.txt'), 'not a folder');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is null without --models, whatever else Electron and Chromium were given', () => {
    expect(modelsDirOverride(['.', '--no-sandbox', '--use-fake-device-for-media-stream'])).toBeNull();
  });

  it('resolves --models DIR and --models=DIR against the working folder', () => {
    expect(modelsDirOverride(['.', '--models', dir])).toBe(dir);
    expect(modelsDirOverride([`--models=${dir}`, '--no-sandbox'])).toBe(dir);
    expect(modelsDirOverride(['.', '--models', path.basename(dir)], path.dirname(dir))).toBe(dir);
  });

  it.each([
    [['.', '--models'], /--models needs a folder/],
    [['.', '--models', '--no-sandbox'], /--models needs a folder/],
    [['.', '--models='], /--models needs a folder/],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => modelsDirOverride(args)).toThrow(CommandLineError);
    expect(() => modelsDirOverride(args)).toThrow(message);
  });

  it('names a missing folder, or a file given as one', () => {
    expect(() => modelsDirOverride(['--models', path.join(dir, 'missing')])).toThrow(
      `${path.join(dir, 'missing')} is not a folder`,
    );
    expect(() => modelsDirOverride(['--models', path.join(dir, 'a-file.txt')])).toThrow(/is not a folder/);
  });
});

describe('kioskOverride', () => {
  it('is true with --kiosk and null without, whatever else Electron and Chromium were given', () => {
    expect(kioskOverride(['.', '--kiosk', '--no-sandbox'])).toBe(true);
    expect(kioskOverride(['.', '--no-sandbox', '--models', '/x'])).toBeNull();
  });

  it('refuses a value, naming it', () => {
    expect(() => kioskOverride(['.', '--kiosk=no'])).toThrow(CommandLineError);
    expect(() => kioskOverride(['.', '--kiosk=no'])).toThrow('--kiosk takes no value (got --kiosk=no)');
  });
});

describe('remoteOverrides', () => {
  it('is empty without the remote options, whatever else Electron and Chromium were given', () => {
    expect(remoteOverrides(['.', '--no-sandbox', '--models', '/x'])).toEqual({});
  });

  it('reads --control-port, --osc-port and --control-host, in either spelling', () => {
    expect(
      remoteOverrides(['.', '--control-port', '8718', '--osc-port=9000', '--control-host', '0.0.0.0']),
    ).toEqual({
      httpPort: 8718,
      oscPort: 9000,
      host: '0.0.0.0',
    });
  });

  it('refuses a port that is not one, or a missing value, naming the option', () => {
    expect(() => remoteOverrides(['--control-port', 'http'])).toThrow(/--control-port needs a port number/);
    expect(() => remoteOverrides(['--osc-port', '70000'])).toThrow(/--osc-port needs a port number/);
    expect(() => remoteOverrides(['--control-port'])).toThrow(CommandLineError);
    expect(() => remoteOverrides(['--control-host', '--no-sandbox'])).toThrow(
      /--control-host needs an address/,
    );
  });
});
