/**
 * Where Style Mirror keeps what it keeps on disk: settings, the model library, caches. One place, so
 * that `STYLEMIRROR_HOME=DIR` moves all of it (tests use it; so does a workshop running from a USB
 * stick). At the bottom layer because the engine's own caches (the measured backend choice, int8
 * calibration) must obey it too.
 */
import path from 'node:path';
import envPaths from 'env-paths';

export interface StylemirrorPaths {
  /** `STYLEMIRROR_HOME` when set (absolute); undefined when the platform's folders are used. */
  readonly home: string | undefined;
  /** The model library: one folder per imported or downloaded model. */
  readonly libraryDir: string;
  /** Measurements and downloads that can be made again. */
  readonly cacheDir: string;
  /** Browser mode's and the CLI's settings (`settings.json`). */
  readonly configDir: string;
  /** Log files: `serve.log` (browser mode), and the app's own when `STYLEMIRROR_HOME` is set. */
  readonly logsDir: string;
  /** Electron's user-data folder when `STYLEMIRROR_HOME` is set (the app's settings, its own caches). */
  readonly electronUserDataDir: string | undefined;
}

/** The environment variable that moves everything Style Mirror keeps into one folder. */
export const HOME_VARIABLE = 'STYLEMIRROR_HOME';

export function stylemirrorPaths(env: NodeJS.ProcessEnv = process.env): StylemirrorPaths {
  const home = env[HOME_VARIABLE];
  if (home !== undefined && home.trim() !== '') {
    const root = path.resolve(home);
    return {
      home: root,
      libraryDir: path.join(root, 'library'),
      cacheDir: path.join(root, 'cache'),
      configDir: root,
      logsDir: path.join(root, 'logs'),
      electronUserDataDir: path.join(root, 'app'),
    };
  }
  const platform = envPaths('style-mirror', { suffix: '' });
  return {
    home: undefined,
    libraryDir: path.join(platform.data, 'library'),
    cacheDir: platform.cache,
    configDir: platform.config,
    logsDir: platform.log,
    electronUserDataDir: undefined,
  };
}
