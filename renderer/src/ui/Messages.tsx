import { CAMERA_GONE_MESSAGE } from '../camera/camera-errors.js';
import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCameraError,
  selectCameraHealth,
  selectEngineHealth,
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

/** What is wrong with the camera, and a way to try again (a camera that was lost has its own card). */
export function CameraError() {
  const error = useMirror(selectCameraError);
  const health = useMirror(selectCameraHealth);
  if (error === null || health === 'lost') return null;
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

/**
 * The camera went away (unplugged, or its frames stopped): said over the dimmed last picture while
 * the mirror gets it back by itself, also when it returns under a new device id.
 */
export function CameraLost() {
  const health = useMirror(selectCameraHealth);
  if (health !== 'lost') return null;
  return (
    <div className="message-card recovery-card" data-testid="camera-lost" role="alert">
      <h1>Camera lost</h1>
      <p>{CAMERA_GONE_MESSAGE}</p>
    </div>
  );
}

/**
 * The engine is restarting after a crash or a hang: said over the last good picture, dimmed, so it
 * is never taken for the live mirror; gone with the next painted frame.
 */
export function Recovering() {
  const engine = useMirror(selectEngineHealth);
  const camera = useMirror(selectCameraHealth);
  // A lost camera is the thing to fix first; its card says so.
  if (engine !== 'recovering' || camera === 'lost') return null;
  return (
    <div className="message-card recovery-card" data-testid="recovering" role="status">
      <h1>Recovering…</h1>
      <p>The style engine stopped and is starting again. The mirror comes back by itself in a few seconds.</p>
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
