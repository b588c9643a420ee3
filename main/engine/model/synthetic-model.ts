import { VARIABLE_SHAPES } from './architecture.js';
import type { Ml5Model } from './ml5-model.js';

/**
 * A model with the architecture's exact shapes and deterministic pseudo-random weights. It paints
 * nothing useful, but it costs exactly what a real model costs, so `bench` runs anywhere, even on a
 * machine with no models installed.
 */
export function syntheticModel(seed = 1): Ml5Model {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: fast, deterministic, good enough for benchmark weights.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000 - 0.5;
  };
  const weights = VARIABLE_SHAPES.map((shape) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = next() * 0.2;
    return values;
  });
  return { format: 'ml5', name: 'synthetic', dir: '(synthetic weights)', weights };
}
