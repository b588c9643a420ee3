/** A validated, decoded ml5 style model: what every backend builds its network from. */
export interface Ml5Model {
  readonly format: 'ml5';
  /** Display name: the folder's name unless the caller gives one. */
  readonly name: string;
  /** Absolute, symlink-resolved folder the model was read from. */
  readonly dir: string;
  /**
   * `weights[k]` holds variable `k` (see `variableName`), float32 in TensorFlow layout,
   * with exactly the shape `VARIABLE_SHAPES[k]`.
   */
  readonly weights: readonly Float32Array[];
}
