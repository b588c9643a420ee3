import {
  selectBackendLabel,
  selectCurrentModel,
  selectEngine,
  selectSettings,
  selectStats,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';

/** The heads-up display: how fast the mirror runs and on what. Numbers first, so they read at a glance. */
export function Hud() {
  const stats = useMirror(selectStats);
  const backend = useMirror(selectBackendLabel);
  const model = useMirror(selectCurrentModel);
  const engine = useMirror(selectEngine);
  const settings = useMirror(selectSettings);
  if (settings?.showHud !== true) return null;
  const size = settings.processingSize;
  return (
    // Not a live region: numbers changing four times a second would drown a screen reader.
    <div className="hud" data-testid="hud" aria-label="Performance">
      <div className="hud-row">
        <span className="hud-value" data-testid="hud-fps">
          {stats.displayedFps.toFixed(0)} fps
        </span>
        <span className="hud-label">shown</span>
      </div>
      <div className="hud-row">
        <span className="hud-value" data-testid="hud-engine-ms">
          {stats.engineMs.toFixed(0)} ms
        </span>
        <span className="hud-label">engine</span>
      </div>
      <div className="hud-row">
        <span className="hud-value" data-testid="hud-latency">
          {stats.latencyMs.toFixed(0)} ms
        </span>
        <span className="hud-label">camera to screen</span>
      </div>
      <div className="hud-row hud-wide" data-testid="hud-backend" title={engine?.backend.fallbackReason}>
        {backend ?? 'no engine yet'}
      </div>
      <div className="hud-row hud-wide hud-dim">
        {model?.name ?? '—'} · {size.width}×{size.height}
      </div>
    </div>
  );
}
