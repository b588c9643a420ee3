import type { Settings } from '../../../common/settings-schema.js';

/**
 * The styles to cycle through: the playlist's styles that exist (in its order, each once), or every
 * style in the library's order when the playlist is empty, less those known not to load.
 */
export function playableStyles(
  playlist: readonly string[],
  libraryIds: readonly string[],
  unloadable: ReadonlySet<string> = new Set(),
): string[] {
  const known = new Set(libraryIds);
  const wanted = playlist.length === 0 ? libraryIds : [...new Set(playlist)].filter((id) => known.has(id));
  return wanted.filter((id) => !unloadable.has(id));
}

/**
 * Which style comes next. `sequence`: the one after the current one in the list (the first when the
 * current one is not in it). `shuffle`: rounds in which every style shows once, in a random order,
 * never the same style twice in a row, across rounds too.
 */
export class PlaylistOrder {
  private round: string[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  next(
    styles: readonly string[],
    current: string | null,
    order: Settings['cycle']['order'],
  ): string | undefined {
    if (styles.length === 0) return undefined;
    if (order === 'sequence') {
      const index = current === null ? -1 : styles.indexOf(current);
      return styles[(index + 1) % styles.length];
    }
    // A style that left the list (deleted, unloadable, taken off the playlist) leaves the round too,
    // and so does one a person switched to by hand: it has just been shown.
    this.round = this.round.filter((id) => styles.includes(id) && id !== current);
    if (this.round.length === 0) this.round = this.shuffled(styles, current);
    return this.round.shift();
  }

  /** Forgets the round under way (the playlist or order changed). */
  reset(): void {
    this.round = [];
  }

  /** A new round: every style once, in a random order that does not start with the current one. */
  private shuffled(styles: readonly string[], current: string | null): string[] {
    const round = [...styles];
    // Fisher-Yates.
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    if (round.length > 1 && round[0] === current) {
      const j = 1 + Math.floor(this.random() * (round.length - 1));
      [round[0], round[j]] = [round[j]!, round[0]];
    }
    return round;
  }
}
