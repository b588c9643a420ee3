import { describe, expect, it } from 'vitest';
import { chooseCamera } from '../../renderer/src/camera/camera-choice.js';
import {
  CAMERA_RETRY_MS,
  CameraKeeper,
  type CameraMedia,
  type CameraStream,
  type ListedDevice,
} from '../../renderer/src/camera/camera-keeper.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { flush, ManualTimers, SETTINGS } from './fakes.js';

class FakeTrack extends EventTarget {
  stopped = false;
  constructor(
    readonly label: string,
    private readonly device: { deviceId: string; groupId: string },
  ) {
    super();
  }
  stop(): void {
    this.stopped = true;
  }
  getSettings() {
    return this.device;
  }
  /** What the browser does when the camera is unplugged. */
  unplug(): void {
    this.stopped = true;
    this.dispatchEvent(new Event('ended'));
  }
}

const domError = (name: string) => Object.assign(new Error(name), { name });

/**
 * Cameras a test plugs in and out. getUserMedia behaves as Chromium's does: an exact device that is
 * not plugged in is an OverconstrainedError, no camera at all a NotFoundError.
 */
class FakeCameras extends EventTarget implements CameraMedia<CameraStream> {
  plugged: ListedDevice[] = [];
  tracks: FakeTrack[] = [];
  requests: (string | null)[] = [];
  refuse: string | null = null;

  plug(deviceId: string, label: string, groupId = `group-${label}`): void {
    this.plugged.push({ kind: 'videoinput', deviceId, label, groupId });
    this.dispatchEvent(new Event('devicechange'));
  }
  unplugAll(): void {
    this.plugged = [];
    this.dispatchEvent(new Event('devicechange'));
    for (const track of this.tracks) if (!track.stopped) track.unplug();
  }
  async enumerateDevices() {
    return [...this.plugged, { kind: 'audioinput', deviceId: 'mic', label: 'Mic', groupId: 'g' }];
  }
  async getUserMedia(constraints: Parameters<CameraMedia<CameraStream>['getUserMedia']>[0]) {
    const exact = constraints.video.deviceId?.exact ?? null;
    this.requests.push(exact);
    if (this.refuse !== null) throw domError(this.refuse);
    const device = exact === null ? this.plugged[0] : this.plugged.find((d) => d.deviceId === exact);
    if (device === undefined) throw domError(exact === null ? 'NotFoundError' : 'OverconstrainedError');
    const track = new FakeTrack(device.label, device);
    this.tracks.push(track);
    return { getVideoTracks: () => [track], getTracks: () => [track] } satisfies CameraStream;
  }
  override addEventListener(type: 'devicechange', listener: () => void): void {
    super.addEventListener(type, listener);
  }
  override removeEventListener(type: 'devicechange', listener: () => void): void {
    super.removeEventListener(type, listener);
  }
}

function keeper(deviceId: string | null = null) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  const cameras = new FakeCameras();
  const fallbacks: string[] = [];
  const playing: CameraStream[] = [];
  const keeper = new CameraKeeper({
    media: cameras,
    screen: {
      play: async (stream) => void playing.push(stream),
      clear: (stream) => void playing.splice(playing.indexOf(stream), 1),
    },
    store,
    timers,
    onFallback: (message) => fallbacks.push(message),
  });
  const open = () => keeper.open({ ...SETTINGS.camera, deviceId });
  const camera = () => store.getState().recovery.camera;
  return { store, timers, cameras, fallbacks, playing, keeper, open, camera };
}

describe('CameraKeeper', () => {
  it('opens the camera, shows it live and lists the cameras', async () => {
    const { cameras, open, camera, store, playing } = keeper();
    cameras.plug('cam-1', 'Desk camera');
    expect(camera()).toBe('starting');
    open();
    await flush();
    expect(camera()).toBe('live');
    expect(playing).toHaveLength(1);
    expect(store.getState().cameras).toEqual([{ deviceId: 'cam-1', label: 'Desk camera' }]);
  });

  it('shows a camera unplugged as lost, retries with backoff, and is live again when it returns', async () => {
    const { cameras, open, camera, timers, store, playing } = keeper('cam-1');
    cameras.plug('cam-1', 'Desk camera');
    open();
    await flush();
    const first = cameras.tracks[0]!;
    cameras.unplugAll();
    await flush();
    expect(camera()).toBe('lost');
    expect(first.stopped).toBe(true);
    expect(playing).toHaveLength(0);
    // The lost card says it all: no second message under it.
    expect(store.getState().cameraError).toBeNull();

    // Retries wait 1 s, then 2 s...
    for (const delay of CAMERA_RETRY_MS.slice(0, 2)) {
      const tries = cameras.requests.length;
      timers.advance(delay - 1);
      await flush();
      expect(cameras.requests.length).toBe(tries);
      timers.advance(1);
      await flush();
      expect(cameras.requests.length).toBeGreaterThan(tries);
    }
    expect(camera()).toBe('lost');

    // Plugged in again (the devicechange retries at once, without waiting for the next backoff).
    cameras.plug('cam-1', 'Desk camera');
    await flush();
    expect(camera()).toBe('live');
    expect(playing).toHaveLength(1);
    expect(timers.pending).toBe(0);
  });

  it('finds the camera again under a new device id by its label, without calling it a fallback', async () => {
    const { cameras, open, camera, fallbacks } = keeper('cam-1');
    cameras.plug('cam-1', 'Desk camera');
    open();
    await flush();
    cameras.unplugAll();
    await flush();
    cameras.plug('other', 'Laptop camera');
    cameras.plug('cam-1-new', 'Desk camera');
    await flush();
    expect(camera()).toBe('live');
    expect(cameras.requests.at(-1)).toBe('cam-1-new');
    expect(fallbacks).toEqual([]);
  });

  it('falls back to any camera when the chosen one is not there, and says so', async () => {
    const { cameras, open, camera, fallbacks } = keeper('cam-gone');
    cameras.plug('cam-2', 'Laptop camera');
    open();
    await flush();
    expect(camera()).toBe('live');
    expect(cameras.requests).toEqual([null]);
    expect(fallbacks).toEqual(['The chosen camera is not connected: showing another camera instead.']);
  });

  it('says why a camera cannot open at first, and keeps trying unless permission was refused', async () => {
    const { cameras, open, camera, timers, store } = keeper();
    open();
    await flush();
    expect(camera()).toBe('starting');
    expect(store.getState().cameraError).toMatch(/No camera found/);
    expect(timers.pending).toBe(1);

    cameras.plug('cam-1', 'Desk camera');
    cameras.refuse = 'NotAllowedError';
    timers.advance(CAMERA_RETRY_MS[0]);
    await flush();
    expect(store.getState().cameraError).toMatch(/not allowed to use the camera/);
    expect(timers.pending).toBe(0);
  });

  it('reconnects when the watchdog says the camera stalled', async () => {
    const { cameras, open, camera, keeper: k } = keeper();
    cameras.plug('cam-1', 'Desk camera');
    open();
    await flush();
    k.reconnect();
    expect(camera()).toBe('lost');
    expect(cameras.tracks[0]!.stopped).toBe(true);
    await flush();
    expect(camera()).toBe('live');
    expect(cameras.tracks).toHaveLength(2);
  });

  it('stops the camera and every retry when closed', async () => {
    const { cameras, open, timers, keeper: k, playing } = keeper('cam-1');
    cameras.plug('cam-1', 'Desk camera');
    open();
    await flush();
    cameras.unplugAll();
    await flush();
    k.close();
    expect(timers.pending).toBe(0);
    cameras.plug('cam-1', 'Desk camera');
    await flush();
    expect(playing).toHaveLength(0);
    expect(cameras.tracks.every((t) => t.stopped)).toBe(true);
  });
});

describe('chooseCamera', () => {
  const desk = { deviceId: 'cam-1', groupId: 'g1', label: 'Desk camera' };
  it('takes the saved camera when it is listed, or when nothing can be listed yet', () => {
    expect(chooseCamera('cam-1', null, [desk])).toEqual({ deviceId: 'cam-1', fallback: false });
    expect(chooseCamera('cam-1', null, [{ ...desk, deviceId: '' }])).toEqual({
      deviceId: 'cam-1',
      fallback: false,
    });
    expect(chooseCamera('cam-1', null, null)).toEqual({ deviceId: 'cam-1', fallback: false });
  });
  it('finds the known camera under a new id by label, else by group', () => {
    const moved = { ...desk, deviceId: 'cam-9' };
    expect(chooseCamera('cam-1', desk, [moved])).toEqual({ deviceId: 'cam-9', fallback: false });
    const renamed = { ...desk, deviceId: 'cam-8', label: 'USB camera' };
    expect(chooseCamera('cam-1', desk, [renamed])).toEqual({ deviceId: 'cam-8', fallback: false });
  });
  it('falls back to the default camera when the saved one is nowhere', () => {
    expect(chooseCamera('cam-1', desk, [{ deviceId: 'x', groupId: 'gx', label: 'Other' }])).toEqual({
      deviceId: null,
      fallback: true,
    });
    expect(chooseCamera(null, null, [desk])).toEqual({ deviceId: null, fallback: false });
  });
});
