/**
 * The page's side of the remote control: events from the server's WebSocket reach the listeners
 * (garbage does not), the controller applies them through its usual doors, and the page's report
 * says what its store says.
 */
import { describe, expect, it, vi } from 'vitest';
import { encodeWire } from '../../common/wire.js';
import type { MirrorEvent, MirrorEventListener } from '../../common/mirror-events.js';
import { WireConnection, type WireSocketEvents } from '../../renderer/src/api/wire-connection.js';
import { MirrorController } from '../../renderer/src/app/mirror-controller.js';
import { pageReport, REPORT_INTERVAL_MS } from '../../renderer/src/app/page-reporter.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { EMPTY_STATS } from '../../renderer/src/mirror/frame-stats.js';
import { engineStatus, fakeApi, flush, ManualTimers, model, ok, SETTINGS } from './fakes.js';

const MODELS = [model('la_muse'), model('udnie'), model('wave')];

describe('WireConnection events', () => {
  it('hands well-formed server events to every listener, and drops garbage', () => {
    let events: WireSocketEvents | undefined;
    const connection = new WireConnection((e) => {
      events = e;
      return { send: () => undefined, close: () => undefined };
    }, new ManualTimers());
    events!.open();
    const got: MirrorEvent[] = [];
    const unsubscribe = connection.onEvent((event) => got.push(event));
    const next = { kind: 'command', command: { verb: 'style-next' } } as const;
    events!.message(encodeWire({ t: 'event', event: next }));
    events!.message(
      encodeWire({ t: 'event', event: { kind: 'command', command: { verb: 'rm -rf' } } } as never),
    );
    events!.message(
      encodeWire({ t: 'event', event: { kind: 'command', command: { verb: 'select-style' } } } as never),
    );
    events!.message(encodeWire({ t: 'event', event: { kind: 'settings', settings: 'all' } } as never));
    events!.message(new Uint8Array([0xc1]));
    unsubscribe();
    events!.message(encodeWire({ t: 'event', event: next }));
    expect(got).toEqual([next]);
  });
});

function controllerWith() {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  let listener: MirrorEventListener | undefined;
  let listed = MODELS;
  const api = fakeApi({
    getSettings: async () => ok(SETTINGS),
    settingsWarnings: async () => ok([]),
    listModels: vi.fn(async () => ok(listed)),
    engineStatus: async () => ok(null),
    selectModel: vi.fn(async ({ id }: { id: string }) => ok(engineStatus(id))),
    reportPage: vi.fn(async () => ok({})),
    onEvent: (l) => {
      listener = l;
      return () => (listener = undefined);
    },
  });
  const controller = new MirrorController(api, store, timers, () => 5000);
  const snapshot = vi.fn(async () => undefined);
  const disconnect = controller.connectRemote({ snapshot });
  return {
    store,
    timers,
    api,
    controller,
    snapshot,
    disconnect,
    push: async (event: MirrorEvent) => {
      listener?.(event);
      await flush();
    },
    addStyle: () => (listed = [...MODELS, model('wreck')]),
    get listening() {
      return listener !== undefined;
    },
  };
}

describe('MirrorController and the remote control', () => {
  it('applies style commands through the switcher, and snapshots through the page', async () => {
    const page = controllerWith();
    await page.controller.start();
    expect(page.store.getState().currentModelId).toBe('bundled:la_muse');
    await page.push({ kind: 'command', command: { verb: 'style-next' } });
    expect(page.store.getState().currentModelId).toBe('bundled:udnie');
    await page.push({ kind: 'command', command: { verb: 'style-previous' } });
    await page.push({ kind: 'command', command: { verb: 'style-previous' } });
    expect(page.store.getState().currentModelId).toBe('bundled:wave');
    await page.push({ kind: 'command', command: { verb: 'snapshot' } });
    expect(page.snapshot).toHaveBeenCalledTimes(1);
  });

  it('lists the styles again for a style it has not seen, then shows it', async () => {
    const page = controllerWith();
    await page.controller.start();
    page.addStyle();
    await page.push({ kind: 'command', command: { verb: 'select-style', id: 'bundled:wreck' } });
    expect(page.store.getState().currentModelId).toBe('bundled:wreck');
  });

  it('takes settings from main as they are', async () => {
    const page = controllerWith();
    await page.controller.start();
    await page.push({ kind: 'settings', settings: { ...SETTINGS, strength: 0.3 } });
    expect(page.store.getState().settings?.strength).toBe(0.3);
  });

  it('reports every second until disconnected, and stops listening', async () => {
    const page = controllerWith();
    await page.controller.start();
    page.timers.advance(REPORT_INTERVAL_MS);
    await flush();
    page.timers.advance(REPORT_INTERVAL_MS);
    await flush();
    expect(page.api.reportPage).toHaveBeenCalledTimes(2);
    page.disconnect();
    page.timers.advance(REPORT_INTERVAL_MS * 5);
    await flush();
    expect(page.api.reportPage).toHaveBeenCalledTimes(2);
    expect(page.listening).toBe(false);
  });
});

describe('pageReport', () => {
  it("says what the page's store says, with the newest frame's age", () => {
    const store = createMirrorStore();
    store.getState().setStats({ ...EMPTY_STATS, displayedFps: 14, lastDisplayedAt: 900, resting: true });
    store.getState().setCurrentModel('bundled:wave');
    store.getState().setCameraError('The camera was unplugged.');
    expect(pageReport(store.getState(), 1000)).toEqual({
      displayedFps: 14,
      newestFrameAgeMs: 100,
      currentModelId: 'bundled:wave',
      resting: true,
      cameraError: 'The camera was unplugged.',
    });
    store.getState().setStats(EMPTY_STATS);
    expect(pageReport(store.getState(), 1000).newestFrameAgeMs).toBeNull();
  });
});
