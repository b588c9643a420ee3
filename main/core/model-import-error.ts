/**
 * Why an import was refused. Stable strings: the UI and tests match on them. `zip-*` codes are about
 * the zip archive itself; `import-*` codes about the files of a folder or an upload. A refusal of the
 * model's content by the engine's reader is its `ModelError`, not one of these.
 */
export type ModelImportErrorCode =
  /** The folder or zip to import is missing, not the kind named, or unreadable. */
  | 'source-unreadable'
  /** No model folder found: nothing at the top level and not exactly one folder holding the files. */
  | 'not-a-model'
  /** A path that would write outside the model folder, or one not every system can store. */
  | 'zip-unsafe-path'
  | 'import-unsafe-path'
  /** A symbolic link: never followed nor copied. */
  | 'zip-symlink'
  | 'import-symlink'
  /** A device, pipe, socket or other file that is neither a regular file nor a folder. */
  | 'zip-special-file'
  | 'import-special-file'
  /** Two entries that would land on the same file (the same path, or paths differing only in case). */
  | 'zip-duplicate-entry'
  | 'import-duplicate-path'
  /** Over the file-count limit. */
  | 'zip-too-many-files'
  | 'import-too-many-files'
  /** Over the byte budget, declared or counted. */
  | 'zip-too-large'
  | 'import-too-large'
  | 'zip-encrypted'
  /** A compression method other than stored or deflate. */
  | 'zip-unsupported'
  /** Not a zip, truncated, or data that does not match its headers. */
  | 'zip-corrupt'
  /** A display name, licence or origin the caller gave that cannot be stored. */
  | 'invalid-name'
  | 'invalid-options'
  /** The caller's AbortSignal fired; nothing was added. */
  | 'import-aborted'
  /** The library folder could not be written (disk full, permissions). */
  | 'library-unwritable';

/** An import that was refused; the library is exactly as it was before. The message names the file. */
export class ModelImportError extends Error {
  override readonly name = 'ModelImportError';

  constructor(
    readonly code: ModelImportErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A Node system error (`ENOENT`, `EACCES`, ...): it carries a code, the failed call and often the path. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** The short reason to show for a failed file operation: `EACCES`, or the message of anything else. */
export function systemErrorDetail(error: unknown): string {
  return isSystemError(error) ? error.code : error instanceof Error ? error.message : String(error);
}

/** A name from a hostile source, quoted for a message: JSON quoting keeps newlines and escapes inert. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** A byte budget for a message: "512 MiB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}
