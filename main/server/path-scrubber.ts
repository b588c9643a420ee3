import os from 'node:os';
import path from 'node:path';

/** A folder the server knows, and the name a page sees instead of its path. */
export interface NamedFolder {
  /** Asked at each use: a folder can follow the settings. Undefined or null: none now. */
  readonly path: () => string | null | undefined;
  /** What to show instead, e.g. `<models folder>`. */
  readonly name: string;
}

/** Stands in for any other absolute path. */
export const HIDDEN_PATH = '<path>';

/**
 * Absolute paths as they appear in error texts: POSIX (`/…`), Windows (`C:\…`, `\\server\share…`)
 * (not `//`, as in a URL) and file URLs, each starting a word (after a space, quote, bracket, `=` or `:`) and running to the
 * next space or quote. A path with spaces in it loses its first part here; the known folders are
 * replaced whole, before this runs.
 */
const ABSOLUTE_PATH =
  /(^|[\s'"`(<[{=:,])(file:\/\/[^\s'"`)>\]}]*|\/(?!\/)[^\s'"`)>\]},;]+|[A-Za-z]:[\\/][^\s'"`)>\]},;]*|\\\\[^\s'"`)>\]},;]+)/g;

/**
 * Makes error texts safe to send to a page on another machine: no path on this one. Each known
 * folder becomes its name (`<models folder>/udnie/manifest.json`, which still says what is wrong
 * where), the home folder becomes `~`, and any other absolute path becomes {@link HIDDEN_PATH}.
 */
export function createPathScrubber(folders: readonly NamedFolder[]): (text: string) => string {
  return (text) => {
    const known = [...folders, { path: () => os.homedir(), name: '~' }]
      .map(({ path: where, name }) => ({ dir: where(), name }))
      .filter((f): f is { dir: string; name: string } => typeof f.dir === 'string' && f.dir.length > 1)
      .map((f) => ({ dir: path.resolve(f.dir).replace(/[\\/]+$/, ''), name: f.name }))
      // Longest first: the snapshots folder inside the home folder is named as itself.
      .sort((a, b) => b.dir.length - a.dir.length);
    let scrubbed = text;
    for (const { dir, name } of known) scrubbed = scrubbed.split(dir).join(name);
    return scrubbed.replace(ABSOLUTE_PATH, (_match, before: string) => `${before}${HIDDEN_PATH}`);
  };
}
