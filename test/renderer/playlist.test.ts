import { describe, expect, it } from 'vitest';
import { PlaylistOrder, playableStyles } from '../../renderer/src/app/playlist.js';

const LIBRARY = ['bundled:a', 'bundled:b', 'bundled:c', 'library:d'];

/** A repeatable stand-in for Math.random (a linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('playableStyles', () => {
  it('is the whole library, in its order, when the playlist is empty', () => {
    expect(playableStyles([], LIBRARY)).toEqual(LIBRARY);
  });

  it("keeps the playlist's order, drops styles that do not exist and repeats", () => {
    expect(playableStyles(['library:d', 'gone:x', 'bundled:a', 'library:d'], LIBRARY)).toEqual([
      'library:d',
      'bundled:a',
    ]);
  });

  it('leaves out styles known not to load', () => {
    expect(playableStyles([], LIBRARY, new Set(['bundled:b']))).toEqual([
      'bundled:a',
      'bundled:c',
      'library:d',
    ]);
  });
});

describe('PlaylistOrder', () => {
  it('sequence: the next style after the current one, wrapping; the first when the current is not listed', () => {
    const order = new PlaylistOrder();
    expect(order.next(LIBRARY, 'bundled:b', 'sequence')).toBe('bundled:c');
    expect(order.next(LIBRARY, 'library:d', 'sequence')).toBe('bundled:a');
    expect(order.next(LIBRARY, 'user:other', 'sequence')).toBe('bundled:a');
    expect(order.next(LIBRARY, null, 'sequence')).toBe('bundled:a');
    expect(order.next([], 'bundled:a', 'sequence')).toBeUndefined();
  });

  it('shuffle: every style once per round, and never the same style twice running, across rounds too', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const order = new PlaylistOrder(seeded(seed));
      let current: string | null = 'bundled:c';
      const shown: string[] = [];
      for (let i = 0; i < LIBRARY.length * 6; i++) {
        const next: string = order.next(LIBRARY, current, 'shuffle')!;
        expect(next, `seed ${seed}, step ${i}`).not.toBe(current);
        shown.push(next);
        current = next;
      }
      for (let r = 0; r < shown.length; r += LIBRARY.length) {
        expect([...shown.slice(r, r + LIBRARY.length)].sort(), `seed ${seed}, round ${r}`).toEqual(
          [...LIBRARY].sort(),
        );
      }
    }
  });

  it('shuffle: no style is always last in its round', () => {
    const order = new PlaylistOrder(seeded(11));
    let current: string | null = null;
    const lasts = new Set<string>();
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < LIBRARY.length; i++) current = order.next(LIBRARY, current, 'shuffle')!;
      lasts.add(current!);
    }
    expect(lasts.size).toBe(LIBRARY.length);
  });

  it('shuffle: differs between seeds (it is not a fixed order)', () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const order = new PlaylistOrder(seeded(seed));
      let current: string | null = null;
      const shown: string[] = [];
      for (let i = 0; i < LIBRARY.length; i++)
        shown.push((current = order.next(LIBRARY, current, 'shuffle')!));
      orders.add(shown.join());
    }
    expect(orders.size).toBeGreaterThan(3);
  });

  it('shuffle: a style that leaves the list leaves the round under way', () => {
    const order = new PlaylistOrder(seeded(7));
    const first = order.next(LIBRARY, null, 'shuffle')!;
    const rest = LIBRARY.filter((id) => id !== first);
    const dropped = rest[0]!;
    const smaller = LIBRARY.filter((id) => id !== dropped);
    const seen = [first];
    let current = first;
    for (let i = 0; i < smaller.length - 1; i++)
      seen.push((current = order.next(smaller, current, 'shuffle')!));
    expect(seen).not.toContain(dropped);
    expect([...seen].sort()).toEqual([...smaller].sort());
  });

  it('shuffle with one style keeps showing it', () => {
    const order = new PlaylistOrder(seeded(3));
    expect(order.next(['bundled:a'], 'bundled:a', 'shuffle')).toBe('bundled:a');
  });
});
