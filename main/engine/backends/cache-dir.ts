import envPaths from 'env-paths';

/** The user's cache folder for Style Mirror: measurements worth keeping between runs, never needed. */
export function defaultCacheDir(): string {
  return envPaths('style-mirror', { suffix: '' }).cache;
}
