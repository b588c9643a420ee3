/**
 * The preload, with Electron mocked: what it puts into the page's world, and what each function sends.
 */
import { electronMock, resetElectronMock } from '../app/electron-mock.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTROL_METHODS } from '../../common/control-channels.js';
import { FRAME_PORT_CHANNEL, FRAME_PORT_MESSAGE, type PreloadApi } from '../../common/preload-api.js';
import { MIRROR_EVENT_CHANNEL } from '../../common/mirror-events.js';

/** Not a literal: the root tsconfig (Node, no DOM) must not type-check the preload; preload/tsconfig does. */
const PRELOAD_MODULE = '../../preload/preload.js';

describe('preload', () => {
  let exposed: Record<string, unknown>;

  beforeEach(async () => {
    resetElectronMock();
    vi.resetModules();
    await import(/* @vite-ignore */ PRELOAD_MODULE);
    expect(electronMock.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electronMock.contextBridge.exposeInMainWorld.mock.calls[0]!;
    expect(key).toBe('styleMirror');
    exposed = api as Record<string, unknown>;
  });

  it('exposes one function per control channel, named by the channel table, the event subscription, and nothing else', () => {
    expect(Object.keys(exposed).sort()).toEqual([...Object.values(CONTROL_METHODS), 'onEvent'].sort());
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function');
    expect(exposed).not.toHaveProperty('invoke');
    expect(exposed).not.toHaveProperty('send');
  });

  it('sends each function on its own channel only, with the request as given', async () => {
    electronMock.ipcRenderer.invoke.mockResolvedValue({ ok: true, value: 'answer' });
    const api = exposed as unknown as PreloadApi;
    expect(await api.selectModel({ id: 'bundled:wave' })).toEqual({ ok: true, value: 'answer' });
    await api.listModels();
    expect(electronMock.ipcRenderer.invoke.mock.calls).toEqual([
      ['models:select', { id: 'bundled:wave' }],
      ['models:list', {}],
    ]);
  });

  it("passes main's events to the page's listener without the IPC event, until unsubscribed", () => {
    const api = exposed as unknown as PreloadApi;
    const received: unknown[] = [];
    const unsubscribe = api.onEvent((event) => received.push(event));
    const [channel, forward] = electronMock.ipcRenderer.on.mock.calls.at(-1) as [
      string,
      (event: unknown, payload: unknown) => void,
    ];
    expect(channel).toBe(MIRROR_EVENT_CHANNEL);
    const event = { kind: 'command', command: { verb: 'style-next' } };
    forward({ sender: { secret: true } }, event);
    expect(received).toEqual([event]);
    unsubscribe();
    expect(electronMock.ipcRenderer.off).toHaveBeenCalledWith(MIRROR_EVENT_CHANNEL, forward);
  });

  it('passes the engine frame port on to its own origin, without the IPC event', () => {
    const [channel, listener] = electronMock.ipcRenderer.on.mock.calls[0] as [
      string,
      (event: { ports: unknown[]; sender: unknown }) => void,
    ];
    expect(channel).toBe(FRAME_PORT_CHANNEL);
    const postMessage = vi.fn();
    vi.stubGlobal('window', { postMessage, location: { origin: 'app://renderer' } });
    try {
      const port = { name: 'port' };
      listener({ ports: [port], sender: { secret: true } });
      expect(postMessage).toHaveBeenCalledWith(FRAME_PORT_MESSAGE, 'app://renderer', [port]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
