import { describe, expect, it } from 'vitest';
import { videoConstraints } from '../../renderer/src/camera/camera-constraints.js';
import { describeCameraError, isMissingDeviceError } from '../../renderer/src/camera/camera-errors.js';

const domError = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('camera errors', () => {
  it('tells a person what each failure means and what to do', () => {
    expect(describeCameraError(domError('NotAllowedError'))).toMatch(
      /not allowed to use the camera.*Allow camera access/,
    );
    expect(describeCameraError(domError('NotFoundError'))).toMatch(/No camera found\. Connect a camera/);
    expect(describeCameraError(domError('NotReadableError'))).toMatch(/another program may be using it/);
    expect(describeCameraError(domError('TypeError', 'constraints are wrong'))).toBe(
      'The camera could not be opened: constraints are wrong',
    );
  });

  it('knows which failures mean the chosen camera is not there', () => {
    expect(isMissingDeviceError(domError('OverconstrainedError'))).toBe(true);
    expect(isMissingDeviceError(domError('NotFoundError'))).toBe(true);
    expect(isMissingDeviceError(domError('NotAllowedError'))).toBe(false);
    expect(isMissingDeviceError('not an error')).toBe(false);
  });
});

describe('videoConstraints', () => {
  it('asks for exactly the chosen camera at about the chosen size', () => {
    expect(videoConstraints({ deviceId: 'cam-2', width: 1280, height: 720 })).toEqual({
      deviceId: { exact: 'cam-2' },
      width: { ideal: 1280 },
      height: { ideal: 720 },
    });
  });

  it('asks for any camera when none is chosen, or when falling back', () => {
    expect(videoConstraints({ deviceId: null, width: 640, height: 480 })).not.toHaveProperty('deviceId');
    expect(videoConstraints({ deviceId: 'cam-2', width: 640, height: 480 }, false)).not.toHaveProperty(
      'deviceId',
    );
  });
});
