import { describe, expect, it } from 'vitest';
import { applySettingsPatch, mergeSettingsPatches } from '../../common/settings-patch.js';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../common/settings-schema.js';

const V1: Settings = {
  ...DEFAULT_SETTINGS,
  modelsDir: '/models',
  strength: 0.5,
  camera: { deviceId: 'cam-1', width: 1280, height: 720 },
};

describe('applySettingsPatch', () => {
  it('replaces fields, merges camera field by field, and leaves the input alone', () => {
    expect(applySettingsPatch(V1, { strength: 0.1, camera: { deviceId: null } })).toEqual({
      ...V1,
      strength: 0.1,
      camera: { deviceId: null, width: 1280, height: 720 },
    });
    expect(V1.camera.deviceId).toBe('cam-1');
  });

  it('keeps a field whose value is undefined, at the top and in camera', () => {
    const patch = {
      mirror: undefined,
      camera: { width: undefined, height: 480 },
    } as unknown as SettingsPatch;
    expect(applySettingsPatch(V1, patch)).toEqual({ ...V1, camera: { ...V1.camera, height: 480 } });
  });

  it('merges every group field by field: turning cycling on keeps the playlist', () => {
    const cycling = applySettingsPatch(
      { ...V1, cycle: { ...V1.cycle, playlist: ['bundled:matta'] } },
      { cycle: { seconds: 20 }, kiosk: { pin: '1234' } },
    );
    expect(cycling.cycle).toEqual({ ...V1.cycle, playlist: ['bundled:matta'], seconds: 20 });
    expect(cycling.kiosk).toEqual({ ...V1.kiosk, pin: '1234' });
    expect(cycling.camera).toEqual(V1.camera);
  });

  it('sets a nullable field to null when null is given', () => {
    expect(applySettingsPatch(V1, { lastModelId: null, camera: { deviceId: null } })).toMatchObject({
      lastModelId: null,
      camera: { deviceId: null },
    });
  });
});

describe('mergeSettingsPatches', () => {
  it('merges field by field, the later winning, camera fields too', () => {
    expect(
      mergeSettingsPatches({ strength: 1, camera: { width: 640 } }, { camera: { height: 480 } }),
    ).toEqual({
      strength: 1,
      camera: { width: 640, height: 480 },
    });
    expect(mergeSettingsPatches({ mirror: true }, { mirror: false })).toEqual({ mirror: false });
    expect(
      mergeSettingsPatches(
        { cycle: { seconds: 10 } },
        { cycle: { order: 'shuffle' }, remote: { httpPort: 8711 } },
      ),
    ).toEqual({ cycle: { seconds: 10, order: 'shuffle' }, remote: { httpPort: 8711 } });
  });

  it('never lets an undefined in the later patch erase a change in the earlier one', () => {
    const later = { strength: undefined, camera: { width: undefined } } as unknown as SettingsPatch;
    expect(mergeSettingsPatches({ strength: 0.3, camera: { width: 320 } }, later)).toEqual({
      strength: 0.3,
      camera: { width: 320 },
    });
  });
});
