import * as tf from '@tensorflow/tfjs-core';
import {
  type ConvLayerSpec,
  INSTANCE_NORM_EPSILON,
  NETWORK,
  OUTPUT_OFFSET,
  OUTPUT_SCALE,
  VARIABLE_COUNT,
  VARIABLE_SHAPES,
  variableName,
} from '../../model/architecture.js';

/**
 * The ml5 style-transfer network on tfjs-core ops, op for op as ml5.js 0.12.2 `styleTransfer` computes
 * it, so float32 rounding matches ml5's own output as closely as the backend's kernels allow.
 *
 * The weights become tensors once, on whichever tfjs backend is active when the network is created;
 * they must only be used while that backend is active, or tfjs silently moves them to the other one.
 */
export class TfjsStyleNetwork {
  private variables: tf.Tensor[] | undefined;
  private readonly epsilon: tf.Scalar;
  private readonly outputScale: tf.Scalar;
  private readonly outputOffset: tf.Scalar;

  /**
   * @param weights `weights[k]` is variable `k` in TensorFlow layout (see `Ml5Model.weights`).
   * @throws {Error} if a variable is missing or has the wrong size; no tensor is kept then.
   */
  constructor(weights: readonly Float32Array[]) {
    if (weights.length < VARIABLE_COUNT) {
      throw new Error(`The style network needs ${VARIABLE_COUNT} variables, got ${weights.length}.`);
    }
    // One tidy for all of them: if variable 30 is bad, the 30 tensors made before it are freed too.
    const [epsilon, outputScale, outputOffset, ...variables] = tf.tidy(() => [
      tf.scalar(INSTANCE_NORM_EPSILON),
      tf.scalar(OUTPUT_SCALE),
      tf.scalar(OUTPUT_OFFSET),
      ...VARIABLE_SHAPES.map((shape, k) => {
        const values = weights[k]!;
        const size = shape.reduce((a, b) => a * b, 1);
        if (values.length !== size) {
          throw new Error(
            `Style network variable ${variableName(k)} has ${values.length} values; shape [${shape.join(', ')}] needs ${size}.`,
          );
        }
        return tf.tensor(values, [...shape], 'float32');
      }),
    ]);
    this.epsilon = epsilon as tf.Scalar;
    this.outputScale = outputScale as tf.Scalar;
    this.outputOffset = outputOffset as tf.Scalar;
    this.variables = variables;
  }

  /** Whether `dispose` has been called. */
  get disposed(): boolean {
    return this.variables === undefined;
  }

  /**
   * Stylizes an RGB 0..255 image of shape `[height, width, 3]`. Returns `150 * tanh(x) + 127.5`,
   * unclipped, `4 * ceil(side / 4)` on each side. Every intermediate tensor is freed; `input` is left to
   * the caller.
   */
  predict(input: tf.Tensor3D): tf.Tensor3D {
    const variables = this.variables;
    if (variables === undefined) throw new Error('This style network was disposed; load the model again.');
    const variable = (k: number): tf.Tensor => variables[k]!;

    const instanceNorm = (x: tf.Tensor3D, shiftVar: number): tf.Tensor3D => {
      const { mean, variance } = tf.moments(x, [0, 1]);
      const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(variable(shiftVar + 1), normalized), variable(shiftVar));
    };

    const layer = (x: tf.Tensor3D, spec: ConvLayerSpec): tf.Tensor3D => {
      const filter = variable(spec.filter) as tf.Tensor4D;
      const [height, width] = x.shape;
      const y =
        spec.kind === 'conv'
          ? tf.conv2d(x, filter, spec.stride, 'same')
          : tf.conv2dTranspose(
              x,
              filter,
              [height * spec.stride, width * spec.stride, spec.outChannels],
              spec.stride,
              'same',
            );
      const normalized = instanceNorm(y, spec.filter + 1);
      return spec.relu ? tf.relu(normalized) : normalized;
    };

    return tf.tidy(() => {
      let x = input;
      for (const step of NETWORK) {
        x =
          step.kind === 'layer' ? layer(x, step.layer) : tf.add(layer(layer(x, step.first), step.second), x);
      }
      return tf.add(this.outputOffset, tf.mul(this.outputScale, tf.tanh(x)));
    });
  }

  /** Frees every weight tensor. Safe to call twice. */
  dispose(): void {
    if (this.variables === undefined) return;
    tf.dispose([...this.variables, this.epsilon, this.outputScale, this.outputOffset]);
    this.variables = undefined;
  }
}
