import { describe, expect, it } from 'vitest';
import { MOTION_NOTE_INTERVAL_MS } from '../../renderer/src/store/installation-slice.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';

describe('installation slice', () => {
  it('notes motion at most once a second while not attracting, and at once while attracting', () => {
    const store = createMirrorStore();
    let writes = 0;
    store.subscribe((state, previous) => {
      if (state.motionAt !== previous.motionAt) writes++;
    });
    for (let at = 1000; at < 3000; at += 66) store.getState().noteMotion(at);
    expect(writes).toBe(2);
    expect(store.getState().motionAt).toBeGreaterThanOrEqual(2000);

    store.getState().setAttracting(true);
    const last = store.getState().motionAt;
    store.getState().noteMotion(last + 1);
    expect(store.getState().motionAt).toBe(last + 1);
    // The same moment again, or an older one, is no news.
    store.getState().noteMotion(last + 1);
    store.getState().noteMotion(last - MOTION_NOTE_INTERVAL_MS);
    expect(writes).toBe(3);
  });

  it('changes attracting and closed only when they change', () => {
    const store = createMirrorStore();
    let changes = 0;
    store.subscribe(() => changes++);
    store.getState().setClosed(null);
    store.getState().setAttracting(false);
    expect(changes).toBe(0);
    store.getState().setClosed('black');
    store.getState().setClosed('black');
    expect(store.getState().closed).toBe('black');
    expect(changes).toBe(1);
  });
});
