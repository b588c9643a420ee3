/** Why a model folder was refused. Stable strings: the UI and tests match on them. */
export type ModelErrorCode =
  | 'not-a-folder'
  | 'model-missing'
  | 'format-ambiguous'
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'variable-missing'
  | 'shape-mismatch'
  | 'unsafe-path'
  | 'file-missing'
  | 'file-size-mismatch'
  | 'too-large'
  | 'non-finite'
  | 'sidecar-missing'
  | 'sidecar-invalid'
  | 'network-invalid';

/**
 * A model that cannot be loaded. The message names the model, the file and the problem, in words a
 * person can act on; `code`, `model` and `file` carry the same facts for code.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly code: ModelErrorCode,
    readonly model: string,
    readonly file: string | undefined,
    problem: string,
  ) {
    // Names come from hostile folders: JSON quoting keeps newlines and terminal escapes inert.
    super(
      `Style model ${JSON.stringify(model)}${file === undefined ? '' : `, file ${JSON.stringify(file)}`}: ${problem}`,
    );
  }
}
