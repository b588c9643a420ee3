import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RemoteOverrides } from '../core/remote/remote-control.js';

/** A command-line mistake, worded for the person who typed it. */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
}

/**
 * The folder given with `--models DIR` (or `--models=DIR`), resolved against `cwd`, or null without
 * one. It overrides the user's models folder for this run only: the saved setting is left alone.
 *
 * `args` are the process's arguments after the executable (`process.argv.slice(1)`): `.` in
 * development, and Chromium's own switches, pass through untouched.
 *
 * @throws {CommandLineError} when `--models` has no folder after it, or names no folder.
 */
export function modelsDirOverride(args: readonly string[], cwd = process.cwd()): string | null {
  const { values } = parseArgs({
    args: [...args],
    options: { models: { type: 'string' } },
    // Electron and Chromium switches (--no-sandbox, --use-fake-device-for-media-stream...) are not ours.
    strict: false,
    allowPositionals: true,
  });
  const given = values.models;
  if (given === undefined) return null;
  // Non-strict parsing reads a bare `--models` as `true`, and takes a following switch as its value.
  if (typeof given !== 'string' || given === '' || given.startsWith('-')) {
    throw new CommandLineError('--models needs a folder after it: `npm start -- --models /path/to/models`.');
  }
  const dir = path.resolve(cwd, given);
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isFolder) {
    throw new CommandLineError(
      `--models ${given}: ${dir} is not a folder. Give the folder that holds your ml5 model folders.`,
    );
  }
  return dir;
}

/**
 * Whether `--kiosk` is on the command line: kiosk mode for this run, whatever the setting says (the
 * saved setting is left alone). Null without it.
 *
 * @throws {CommandLineError} for `--kiosk=VALUE`: the switch takes no value.
 */
export function kioskOverride(args: readonly string[]): true | null {
  const { values } = parseArgs({
    args: [...args],
    options: { kiosk: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  const given = values.kiosk;
  if (given === undefined) return null;
  if (given !== true) {
    throw new CommandLineError(
      `--kiosk takes no value (got --kiosk=${String(given)}): \`npm start -- --kiosk\`.`,
    );
  }
  return true;
}

/**
 * The remote control's endpoints given on the app's command line (`--control-port N`, `--osc-port N`,
 * `--control-host ADDRESS`), overriding the settings' `remote` group for this run.
 *
 * @throws {CommandLineError} for a port that is not a whole number from 0 to 65535, or an empty host.
 */
export function remoteOverrides(args: readonly string[]): RemoteOverrides {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'control-port': { type: 'string' },
      'osc-port': { type: 'string' },
      'control-host': { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const port = (option: 'control-port' | 'osc-port'): number | undefined => {
    const given = values[option];
    if (given === undefined) return undefined;
    if (typeof given !== 'string' || !/^\d{1,5}$/.test(given) || Number(given) > 65535) {
      throw new CommandLineError(
        `--${option} needs a port number from 0 to 65535 after it, like --${option} 8718.`,
      );
    }
    return Number(given);
  };
  const host = values['control-host'];
  if (host !== undefined && (typeof host !== 'string' || host === '' || host.startsWith('-'))) {
    throw new CommandLineError('--control-host needs an address after it, like --control-host 0.0.0.0.');
  }
  const httpPort = port('control-port');
  const oscPort = port('osc-port');
  return {
    ...(host === undefined ? {} : { host }),
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(oscPort === undefined ? {} : { oscPort }),
  };
}
