import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCameraError,
  selectEngineProblem,
  selectModels,
  selectStartupProblem,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { AddStyleButtons, GetMoreStylesButton } from './AddStyle.js';

/**
 * Shown when there is no style at all (only when the bundled styles are missing): the camera shows
 * unpainted, and this offers the two ways to get a style.
 */
export function NoModels() {
  const models = useMirror(selectModels);
  if (models === null || models.length > 0) return null;
  return (
    <div className="message-card" data-testid="no-models" role="alert">
      <h1>No styles yet</h1>
      <p>
        The styles Style Mirror comes with are missing. Add a style of your own (a model folder or a .zip of
        one; you can also drop it on the window), or download a pack of styles.
      </p>
      <div className="buttons">
        <AddStyleButtons />
        <GetMoreStylesButton />
      </div>
    </div>
  );
}

/** What is wrong with the camera, and a way to try again. */
export function CameraError() {
  const error = useMirror(selectCameraError);
  if (error === null) return null;
  return (
    <div className="message-card camera-error" role="alert">
      <h1>No camera picture</h1>
      <p data-testid="camera-error">{error}</p>
      <button type="button" onClick={() => mirrorStore.getState().retryCamera()}>
        Try again
      </button>
    </div>
  );
}

/** One quiet line at the bottom while something is wrong but being retried. */
export function StatusLine() {
  const startup = useMirror(selectStartupProblem);
  const engine = useMirror(selectEngineProblem);
  const text = startup ?? (engine === null ? null : `${engine.replace(/\.$/, '')} — retrying…`);
  return (
    <div className="status-line" role="status" aria-live="polite">
      {text}
    </div>
  );
}
