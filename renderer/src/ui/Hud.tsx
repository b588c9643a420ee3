import {
  selectBackendLabel,
  selectCurrentModel,
  selectEngine,
  selectPrecisionLabel,
  selectSettings,
  selectStats,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';

/** The heads-up display: how fast the mirror runs and on what. Numbers first, so they read at a glance. */
export function Hud() {
  const stats = useMirror(selectStats);
  const backend = useMirror(selectBackendLabel);
  const precision = useMirror(selectPrecisionLabel);
  const model = useMirror(selectCurrentModel);
  const engine = useMirror(selectEngine);
  const settings = useMirror(selectSettings);
  if (settings?.showHud !== true) return null;
  const size = settings.processingSize;
  return (
    // Not a live region: numbers changing four times a second would drown a screen reader.
    <div className="hud" data-testid="hud" aria-label="Performance">
      <HudNumber testId="hud-fps" value={stats.displayedFps} unit="fps" label="shown" />
      <HudNumber testId="hud-engine-ms" value={stats.engineMs} unit="ms" label="engine" />
      <HudNumber testId="hud-latency" value={stats.latencyMs} unit="ms" label="camera to screen" />
      {stats.resting && (
        <div
          className="hud-row hud-wide"
          data-testid="hud-resting"
          title="The camera sees a still scene: the engine rests and the painting stays until something moves."
        >
          resting
        </div>
      )}
      <div className="hud-row hud-wide" data-testid="hud-backend" title={engine?.backend.fallbackReason}>
        {backend ?? 'no engine yet'}
      </div>
      {precision !== null && (
        <div className="hud-row hud-wide hud-dim hud-precision" data-testid="hud-precision">
          {precision}
        </div>
      )}
      <div className="hud-row hud-wide hud-dim">
        {model?.name ?? '—'} · {size.width}×{size.height}
      </div>
    </div>
  );
}

/** One number of the HUD: the value, rounded, then what it measures. */
function HudNumber({
  testId,
  value,
  unit,
  label,
}: {
  testId: string;
  value: number;
  unit: string;
  label: string;
}) {
  return (
    <div className="hud-row">
      <span className="hud-value" data-testid={testId}>
        {value.toFixed(0)} {unit}
      </span>
      <span className="hud-label">{label}</span>
    </div>
  );
}
