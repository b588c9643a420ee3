import { describe, expect, it } from 'vitest';
import { buildControlApi } from '../../common/control-api.js';
import { CONTROL_CHANNEL_NAMES, CONTROL_METHODS } from '../../common/control-channels.js';
import { CONTROL_CHANNELS } from '../../common/contract.js';

describe('the channel table', () => {
  it('gives every channel exactly one schema entry, and every function name once', () => {
    expect(Object.keys(CONTROL_CHANNELS).sort()).toEqual([...CONTROL_CHANNEL_NAMES].sort());
    const methods = Object.values(CONTROL_METHODS);
    expect(new Set(methods).size).toBe(methods.length);
  });
});

describe('buildControlApi', () => {
  it('has one function per channel, each sending its own channel, and nothing else', async () => {
    const sent: [string, unknown][] = [];
    const api = buildControlApi(async (channel, request) => {
      sent.push([channel, request]);
      return { ok: true, value: null as never };
    });
    expect(Object.keys(api).sort()).toEqual(Object.values(CONTROL_METHODS).sort());
    for (const [channel, method] of Object.entries(CONTROL_METHODS)) {
      const call = (api as unknown as Record<string, (request: unknown) => Promise<unknown>>)[method]!;
      await call({ marker: channel });
      expect(sent.at(-1)).toEqual([channel, { marker: channel }]);
    }
  });

  it('sends {} for a left-out request, and cannot be changed afterwards', async () => {
    const sent: unknown[] = [];
    const api = buildControlApi(async (_channel, request) => {
      sent.push(request);
      return { ok: true, value: null as never };
    });
    await api.listModels();
    expect(sent).toEqual([{}]);
    expect(Object.isFrozen(api)).toBe(true);
    expect(() => Object.assign(api, { listModels: () => 'swapped' })).toThrow(TypeError);
  });
});
