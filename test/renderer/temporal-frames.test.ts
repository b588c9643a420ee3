/**
 * The frame pump's resting and steadying decisions, driven with plain frames and a hand-run clock:
 * which camera frames go to the engine, and what picture is shown for each result.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../common/frame.js';
import type { Settings } from '../../common/settings-schema.js';
import { lumaSignature } from '../../common/temporal/frame-change.js';
import { seededRandom, withCameraNoise } from '../../main/cli/camera-noise.js';
import {
  HEARTBEAT_MS,
  TemporalFrames,
  type PaintContext,
  type SentFrame,
} from '../../renderer/src/mirror/temporal-frames.js';
import { meanAbsDiff } from '../support/photos.js';
import { SETTINGS } from './fakes.js';

/** A small processing size keeps the noisy frames cheap to make. */
const PAINT: PaintContext = {
  modelId: 'bundled:udnie',
  settings: { ...SETTINGS, processingSize: { width: 128, height: 96 } },
};
const { width, height } = PAINT.settings.processingSize;

/** The camera's picture as the pump captures it: RGBA at the processing size, a gradient, `offset` brighter. */
function picture(offset = 0, size = { width, height }): Frame {
  const data = new Uint8Array(size.width * size.height * 4);
  for (let p = 0; p < size.width * size.height; p++) {
    const grey = 40 + ((p % size.width) >> 1) + offset;
    data.set([grey, grey, grey, 255], p * 4);
  }
  return { data, ...size, channels: 4 };
}

/** A camera that sees `scene` with sensor noise of sigma 3, one frame every 66 ms (15 fps). */
function camera(seed: number) {
  const random = seededRandom(seed);
  let now = 0;
  return {
    get now() {
      return now;
    },
    next(scene: Frame = picture()) {
      now += 66;
      return lumaSignature(withCameraNoise(scene, 3, random));
    },
  };
}

function withSettings(patch: Partial<Settings>, modelId = PAINT.modelId): PaintContext {
  return { modelId, settings: { ...PAINT.settings, ...patch } };
}

describe('TemporalFrames.shouldSend', () => {
  it('sends the first frame, then rests on a still scene, sending only a heartbeat', () => {
    const temporal = new TemporalFrames();
    const cam = camera(1);
    expect(temporal.shouldSend(cam.next(), PAINT, cam.now)).not.toBeNull();
    expect(temporal.resting).toBe(false);

    const sentAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (temporal.shouldSend(cam.next(), PAINT, cam.now) !== null) sentAt.push(cam.now);
    }
    expect(temporal.resting).toBe(true);
    // 6.6 s of still camera: a heartbeat frame every HEARTBEAT_MS, the rest held back.
    expect(sentAt.length).toBe(Math.floor((100 * 66) / HEARTBEAT_MS));
    for (let i = 1; i < sentAt.length; i++)
      expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(HEARTBEAT_MS);
    expect(temporal.rested).toBe(100 - sentAt.length);
  });

  it('sends the first frame with a real change at once and stops resting', () => {
    const temporal = new TemporalFrames();
    const cam = camera(2);
    for (let i = 0; i < 5; i++) temporal.shouldSend(cam.next(), PAINT, cam.now);
    expect(temporal.resting).toBe(true);

    // A hand: a bright patch over a small part of the picture.
    const hand = picture();
    for (let y = 40; y < 60; y++)
      for (let x = 100; x < 116; x++) hand.data.fill(230, (y * width + x) * 4, (y * width + x) * 4 + 3);
    expect(temporal.shouldSend(cam.next(hand), PAINT, cam.now)).not.toBeNull();
    expect(temporal.resting).toBe(false);
    // The hand stays still: rest again, compared with the frame with the hand.
    expect(temporal.shouldSend(cam.next(hand), PAINT, cam.now)).toBeNull();
  });

  it('follows slow light drift: compares with the last frame sent, not the last one seen', () => {
    const temporal = new TemporalFrames({ heartbeatMs: 60_000 });
    const cam = camera(3);
    temporal.shouldSend(cam.next(picture(0)), PAINT, cam.now);
    let sent = 0;
    // One level brighter every frame: never a change between neighbours, a big one over 20 frames.
    for (let level = 1; level <= 20; level++) {
      if (temporal.shouldSend(cam.next(picture(level)), PAINT, cam.now) !== null) sent++;
    }
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(4);
  });

  it('sends every frame when resting is off', () => {
    const temporal = new TemporalFrames();
    const cam = camera(4);
    const off = withSettings({ restWhenStill: false });
    for (let i = 0; i < 10; i++) expect(temporal.shouldSend(cam.next(), off, cam.now)).not.toBeNull();
    expect(temporal.resting).toBe(false);
    expect(temporal.rested).toBe(0);
  });

  it.each([
    ['another style', withSettings({}, 'bundled:wave')],
    ['another strength', withSettings({ strength: 0.5 })],
    ['keeping colours', withSettings({ preserveColors: true })],
    ['mirroring off', withSettings({ mirror: false })],
  ])('sends a still frame at once after %s', (_what, changed) => {
    const temporal = new TemporalFrames();
    const cam = camera(5);
    for (let i = 0; i < 5; i++) temporal.shouldSend(cam.next(), PAINT, cam.now);
    expect(temporal.shouldSend(cam.next(), changed, cam.now)).not.toBeNull();
    expect(temporal.shouldSend(cam.next(), changed, cam.now)).toBeNull();
  });

  it('sends a frame of a new processing size at once', () => {
    const temporal = new TemporalFrames();
    const cam = camera(6);
    for (let i = 0; i < 5; i++) temporal.shouldSend(cam.next(), PAINT, cam.now);
    const size = { width: 64, height: 48 };
    expect(
      temporal.shouldSend(cam.next(picture(0, size)), withSettings({ processingSize: size }), cam.now),
    ).not.toBeNull();
  });

  it('notes when a frame last showed motion: not for noise, a new style or a new size', () => {
    const temporal = new TemporalFrames();
    const cam = camera(8);
    for (let i = 0; i < 5; i++) temporal.shouldSend(cam.next(), PAINT, cam.now);
    expect(temporal.motionAt).toBeUndefined();
    temporal.shouldSend(cam.next(), withSettings({}, 'bundled:wave'), cam.now);
    const size = { width: 64, height: 48 };
    temporal.shouldSend(cam.next(picture(0, size)), withSettings({ processingSize: size }), cam.now);
    expect(temporal.motionAt).toBeUndefined();

    const brighter = picture(0, size);
    brighter.data.fill(250, 0, brighter.data.length / 2);
    temporal.shouldSend(cam.next(brighter), withSettings({ processingSize: size }), cam.now);
    expect(temporal.motionAt).toBe(cam.now);
    const movedAt = cam.now;
    temporal.shouldSend(cam.next(brighter), withSettings({ processingSize: size }), cam.now);
    expect(temporal.motionAt).toBe(movedAt);
  });

  it('notes motion with resting off too', () => {
    const temporal = new TemporalFrames();
    const cam = camera(9);
    const off = withSettings({ restWhenStill: false });
    for (let i = 0; i < 5; i++) temporal.shouldSend(cam.next(), off, cam.now);
    expect(temporal.motionAt).toBeUndefined();
    temporal.shouldSend(cam.next(picture(60)), off, cam.now);
    expect(temporal.motionAt).toBe(cam.now);
  });

  it('sends the next still frame after a frame failed at the engine', () => {
    const temporal = new TemporalFrames();
    const cam = camera(7);
    temporal.shouldSend(cam.next(), PAINT, cam.now);
    temporal.sendFailed();
    expect(temporal.shouldSend(cam.next(), PAINT, cam.now)).not.toBeNull();
  });
});

describe('TemporalFrames.steady', () => {
  /** A "painting" that boils: the camera frame's noise, amplified, as a style network shows it. */
  function painted(random: () => number): Frame {
    return withCameraNoise(picture(), 12, random);
  }

  it('blends results of a still scene into the picture shown; takes a result painted otherwise whole', () => {
    const temporal = new TemporalFrames({ heartbeatMs: 0 });
    const cam = camera(8);
    const random = seededRandom(80);
    /** How far the picture shown for `sent` is from its painting. */
    const shownOff = (sent: SentFrame) => {
      const result = painted(random);
      const before = new Uint8Array(result.data);
      return meanAbsDiff(temporal.steady(result, sent, true).data, before);
    };
    expect(shownOff(temporal.shouldSend(cam.next(), PAINT, cam.now)!)).toBe(0);
    // A heartbeat of the still scene: blended.
    expect(shownOff(temporal.shouldSend(cam.next(), PAINT, cam.now)!)).toBeGreaterThan(1);
    const restyled = temporal.shouldSend(cam.next(), withSettings({}, 'bundled:wave'), cam.now)!;
    expect(shownOff(restyled)).toBe(0);
  });

  it('shows results as painted with steadying off, and starts afresh when it is turned on again', () => {
    const temporal = new TemporalFrames({ heartbeatMs: 0 });
    const cam = camera(9);
    const random = seededRandom(90);
    const show = (stabilize: boolean) => {
      const sent = temporal.shouldSend(cam.next(), PAINT, cam.now)!;
      const result = painted(random);
      const before = new Uint8Array(result.data);
      return { shown: temporal.steady(result, sent, stabilize).data, painted: before };
    };
    show(true);
    show(true);
    const off = show(false);
    expect(meanAbsDiff(off.shown, off.painted)).toBe(0);
    const on = show(true);
    expect(meanAbsDiff(on.shown, on.painted)).toBe(0);
    const blended = show(true);
    expect(meanAbsDiff(blended.shown, blended.painted)).toBeGreaterThan(1);
  });
});
