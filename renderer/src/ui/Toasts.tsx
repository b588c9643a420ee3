import { selectModelToast, selectToasts } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';

/** The style's name, large, for a moment after switching (with a quiet "loading" mark while it loads). */
export function ModelNameToast() {
  const toast = useMirror(selectModelToast);
  if (toast === null) return null;
  return (
    <div className="model-toast" role="status" aria-live="polite">
      <span className="model-toast-name" data-testid="model-name-toast">
        {toast.name}
      </span>
      <span className={`model-toast-loading${toast.loading ? '' : ' done'}`} aria-hidden={!toast.loading}>
        loading…
      </span>
    </div>
  );
}

/** Messages in the corner: saved snapshots, errors, hints. */
export function Toasts() {
  const toasts = useMirror(selectToasts);
  return (
    <div className="toasts" role="log" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid={`${toast.kind}-toast`}>
          {toast.text}
        </div>
      ))}
    </div>
  );
}
