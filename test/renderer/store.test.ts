import { describe, expect, it } from 'vitest';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import {
  selectBackendLabel,
  selectCurrentModel,
  selectPrecisionLabel,
} from '../../renderer/src/store/selectors.js';
import { parseSize, withCurrent } from '../../renderer/src/ui/size-options.js';
import { model } from './fakes.js';

describe('mirror store', () => {
  it('shows the backend exactly as the engine reports it', () => {
    const store = createMirrorStore();
    expect(selectBackendLabel(store.getState())).toBeNull();
    store.getState().setEngine({
      model: 'Wave',
      modelId: 'bundled:wave',
      backend: { kind: 'ort', runtime: 'cpu', device: 'CPU' },
    });
    expect(selectBackendLabel(store.getState())).toBe('ort · cpu · CPU');
  });

  it("shows the precision and the engine's reason for it, and nothing from an engine that does not say", () => {
    const store = createMirrorStore();
    const backend = { kind: 'ort', runtime: 'cpu', device: 'CPU' } as const;
    store.getState().setEngine({ model: 'Wave', modelId: 'bundled:wave', backend });
    expect(selectPrecisionLabel(store.getState())).toBeNull();
    const precisionReason = 'auto: the CPU has avx512_vnni, and int8 is 34.1 dB PSNR against float32';
    store.getState().setEngine({
      model: 'Wave',
      modelId: 'bundled:wave',
      backend: { ...backend, precision: 'int8', precisionReason },
    });
    expect(selectPrecisionLabel(store.getState())).toBe(`int8 · ${precisionReason}`);
  });

  it('finds the current model in the library', () => {
    const store = createMirrorStore();
    store.getState().setModels([model('wave'), model('udnie')]);
    store.getState().setCurrentModel('bundled:udnie');
    expect(selectCurrentModel(store.getState())?.name).toBe('Udnie');
  });

  it('keeps at most four toasts, dropping the oldest', () => {
    const store = createMirrorStore();
    for (let i = 1; i <= 6; i++) store.getState().pushToast('info', `toast ${i}`);
    expect(store.getState().toasts.map((t) => t.text)).toEqual(['toast 3', 'toast 4', 'toast 5', 'toast 6']);
  });

  it('does not notify subscribers when the engine problem did not change (it is set on every frame)', () => {
    const store = createMirrorStore();
    let notified = 0;
    store.subscribe(() => notified++);
    store.getState().setEngineProblem(null);
    store.getState().setEngineProblem('restarting');
    store.getState().setEngineProblem('restarting');
    expect(notified).toBe(1);
  });
});

describe('size options', () => {
  it('parses "WIDTHxHEIGHT" and nothing else', () => {
    expect(parseSize('320x240')).toEqual({ width: 320, height: 240 });
    expect(parseSize('320 x 240')).toBeNull();
    expect(parseSize('')).toBeNull();
  });

  it('keeps a size set elsewhere in the list', () => {
    expect(withCurrent(['160x120'], '200x150')).toEqual(['160x120', '200x150']);
    expect(withCurrent(['160x120'], '160x120')).toEqual(['160x120']);
  });
});
