import { encode, ExtensionCodec } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_FILES } from '../../common/contract.js';
import {
  decodeWire,
  encodeWire,
  MAX_PAGE_SNAPSHOT_BYTES,
  PAGE_WIRE_LIMITS,
  SERVER_WIRE_LIMITS,
  WireLimitError,
  type WireLimits,
} from '../../common/wire.js';

/** `n` arrays of one, each inside the one before, around `inner`. */
function nested(n: number, inner: number[] = [0xc0]): Uint8Array {
  const bytes = new Uint8Array(n + inner.length).fill(0x91);
  bytes.set(inner, n);
  return bytes;
}

const be32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

describe('decodeWire', () => {
  it('decodes every kind of MessagePack value the walk has to step over, as encoded', () => {
    // One of each type byte family, at the edges of each length form: the header walk must agree
    // with the decoder on where every value ends.
    const value = {
      ints: [
        0,
        127,
        128,
        255,
        256,
        65535,
        65536,
        2 ** 32 - 1,
        2 ** 32,
        -1,
        -32,
        -33,
        -128,
        -129,
        -32768,
        -32769,
        -(2 ** 31),
        -(2 ** 31) - 1,
      ],
      floats: [0.5, -1.25e300],
      flags: [true, false, null],
      strings: ['', 'a'.repeat(31), 'b'.repeat(32), 'c'.repeat(255), 'd'.repeat(256), 'é'.repeat(40000)],
      bins: [new Uint8Array(0), new Uint8Array(255), new Uint8Array(256), new Uint8Array(70000)],
      deep: { a: { b: { c: [[[1]]] } } },
      wide: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
      long: Array.from({ length: 300 }, (_, i) => i),
    };
    const decoded = decodeWire(encode(value)) as typeof value;
    expect(decoded).toEqual(value);
    expect(decodeWire(encode([0.5, 'x'], { forceFloat32: true }))).toEqual([0.5, 'x']);
    // Extensions (fixext 4 and 8 here) are refused by the limits, but walked over correctly.
    const withExt: WireLimits = { ...PAGE_WIRE_LIMITS, maxExtLength: 16 };
    const dates = [new Date(0), new Date(1.5), 'after'];
    expect(decodeWire(encode(dates), withExt)).toEqual(dates);
  });

  it('round-trips a frame message within the server limits', () => {
    const frame = { data: new Uint8Array(64 * 48 * 4).fill(7), width: 64, height: 48, channels: 4 } as const;
    const message = { t: 'frame', id: 3, frame, options: { strength: 0.5 } } as const;
    expect(decodeWire(encodeWire(message), SERVER_WIRE_LIMITS)).toEqual(message);
  });

  it('takes an uploaded style of the most files the contract allows (models:import)', () => {
    const files = Array.from({ length: MAX_IMPORT_FILES }, (_, i) => ({
      path: `udnie/Variable_${i}`,
      bytes: new Uint8Array(4).fill(i % 256),
    }));
    const message = { t: 'control', id: 9, channel: 'models:import', payload: { files } } as const;
    expect(decodeWire(encodeWire(message), SERVER_WIRE_LIMITS)).toEqual(message);
  });

  it('refuses, before allocating, array and map headers that claim more items than bytes follow', () => {
    // The 90-byte message that took the server down: array headers claiming 30 million items each.
    const attack = new Uint8Array(Array.from({ length: 18 }, () => [0xdd, ...be32(30_000_000)]).flat());
    expect(attack.length).toBe(90);
    expect(() => decodeWire(attack, SERVER_WIRE_LIMITS)).toThrow(WireLimitError);
    expect(() => decodeWire(attack, SERVER_WIRE_LIMITS)).toThrow(
      /claims 30000000 items, but only 85 bytes follow/,
    );
    expect(() => decodeWire(new Uint8Array([0xdf, ...be32(30_000_000)]))).toThrow(/claims 60000000 items/);
    expect(() => decodeWire(new Uint8Array([0xdc, 0xff, 0xff, 0xc0]))).toThrow(/claims 65535 items/);
  });

  it('refuses strings, bins and exts whose stated length runs past the message', () => {
    for (const head of [
      [0xdb, ...be32(1 << 30)],
      [0xc6, ...be32(1 << 30)],
      [0xc9, ...be32(1 << 30), 1],
    ]) {
      expect(() => decodeWire(new Uint8Array([...head, 0x41]))).toThrow(/ends early/);
    }
  });

  it('holds each length to its limit, naming it', () => {
    const tight: WireLimits = {
      ...SERVER_WIRE_LIMITS,
      maxArrayLength: 2,
      maxMapLength: 1,
      maxStrLength: 3,
      maxBinLength: 4,
    };
    expect(() => decodeWire(encode([1, 2, 3]), tight)).toThrow(/maxArrayLength \(2\)/);
    expect(() => decodeWire(encode({ a: 1, b: 2 }), tight)).toThrow(/maxMapLength/);
    expect(() => decodeWire(encode('abcd'), tight)).toThrow(/maxStrLength \(3\)/);
    expect(() => decodeWire(encode(new Uint8Array(5)), tight)).toThrow(/maxBinLength \(4\)/);
    expect(decodeWire(encode([1, 2]), tight)).toEqual([1, 2]);
  });

  it('takes a snapshot-sized bin from a page, and nothing bigger', () => {
    expect(
      (decodeWire(encode(new Uint8Array(MAX_PAGE_SNAPSHOT_BYTES)), SERVER_WIRE_LIMITS) as Uint8Array).length,
    ).toBe(MAX_PAGE_SNAPSHOT_BYTES);
    expect(() => decodeWire(encode(new Uint8Array(MAX_PAGE_SNAPSHOT_BYTES + 1)), SERVER_WIRE_LIMITS)).toThrow(
      /maxBinLength/,
    );
  });

  it('refuses MessagePack extensions (a Date, any custom type)', () => {
    expect(() => decodeWire(encode({ when: new Date(0) }), SERVER_WIRE_LIMITS)).toThrow(/ext length/);
    const codec = new ExtensionCodec();
    codec.register({
      type: 7,
      encode: (v) => (v instanceof Set ? new Uint8Array(300) : null),
      decode: () => null,
    });
    expect(() => decodeWire(encode(new Set([1]), { extensionCodec: codec }))).toThrow(/ext length/);
  });

  it(`refuses nesting deeper than the limit (${SERVER_WIRE_LIMITS.maxDepth} from a page), at once`, () => {
    const depth = SERVER_WIRE_LIMITS.maxDepth;
    expect(() => decodeWire(nested(depth), SERVER_WIRE_LIMITS)).not.toThrow();
    expect(() => decodeWire(nested(depth + 1), SERVER_WIRE_LIMITS)).toThrow(
      `Nested deeper than ${depth} arrays and maps.`,
    );
    // Maps count too, and an empty container at the bottom is still a level.
    expect(() => decodeWire(nested(depth, [0x80]), SERVER_WIRE_LIMITS)).toThrow(/Nested deeper/);
    expect(() =>
      decodeWire(
        new Uint8Array([...new Array<number>(depth + 1).fill(0x81).flatMap((b) => [b, 0xa1, 0x6b]), 0xc0]),
        SERVER_WIRE_LIMITS,
      ),
    ).toThrow(/Nested deeper/);
    // Eight million levels: the decoder would keep eight million states.
    expect(() => decodeWire(nested(8_000_000), SERVER_WIRE_LIMITS)).toThrow(/Nested deeper/);
    expect(() => decodeWire(nested(PAGE_WIRE_LIMITS.maxDepth + 1))).toThrow(/Nested deeper/);
  });

  it('refuses bytes that are no MessagePack, cut-off messages and trailing bytes', () => {
    expect(() => decodeWire(new Uint8Array([0xc1]))).toThrow(/byte 0xc1 at 0 is no type/);
    const whole = encodeWire({ t: 'control', id: 1, channel: 'settings:get', payload: {} });
    for (const cut of [1, 5, whole.length - 1]) {
      expect(() => decodeWire(whole.subarray(0, cut), SERVER_WIRE_LIMITS)).toThrow(/ends early|but only/);
    }
    expect(() => decodeWire(new Uint8Array([...whole, 0xc0]), SERVER_WIRE_LIMITS)).toThrow(/Extra/);
    expect(() => decodeWire(new Uint8Array(0))).toThrow(/ends early/);
  });

  it('refuses a __proto__ key', () => {
    const bytes = new Uint8Array([0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x80]);
    expect(() => decodeWire(bytes, SERVER_WIRE_LIMITS)).toThrow(/__proto__/);
  });
});
