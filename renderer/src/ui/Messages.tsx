import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCameraError,
  selectEngineProblem,
  selectModels,
  selectSettings,
  selectStartupProblem,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';

/** Shown when the model library is empty: how to add a style. */
export function NoModels() {
  const models = useMirror(selectModels);
  const settings = useMirror(selectSettings);
  const { controller } = useServices();
  if (models === null || models.length > 0) return null;
  const folder = settings?.modelsDir != null ? <code>{settings.modelsDir}</code> : 'a folder';
  return (
    <div className="message-card" data-testid="no-models" role="alert">
      <h1>No styles yet</h1>
      <p>
        Style Mirror paints with ml5 style-transfer models: a model folder holds its{' '}
        <code>manifest.json</code> and weight files, and optionally the painting as <code>style.jpg</code>.{' '}
        {controller.api.transport === 'electron' ? (
          <>
            Put model folders into {folder} and choose it with &ldquo;Styles folder…&rdquo; in the settings,
            or start Style Mirror with <code>--models DIR</code> pointing at a folder of them.
          </>
        ) : (
          <>
            Start <code>stylemirror serve --models DIR</code> with <code>DIR</code> a folder of them.
          </>
        )}
      </p>
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
