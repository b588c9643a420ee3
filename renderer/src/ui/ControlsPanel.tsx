import type { ReactNode, Ref } from 'react';
import type { Settings } from '../../../common/settings-schema.js';
import { CAPTURE_RESOLUTIONS } from '../camera/camera-constraints.js';
import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCameras,
  selectControlsVisible,
  selectCurrentModel,
  selectSettings,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';
import { KioskSettings } from './Kiosk.js';
import { InstallationSettings } from './InstallationSettings.js';
import { takeSnapshot, toggleFullscreen } from './page-actions.js';
import { parseSize, PROCESSING_SIZES, withCurrent } from './size-options.js';

/** The precision setting's choices, in words; the HUD says which ran and why. */
const PRECISIONS: readonly { readonly value: Settings['precision']; readonly label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'fp32', label: 'Float32' },
  { value: 'int8', label: 'Int8' },
];

/**
 * The settings panel. Every change applies at once and is saved. It fades out after a few seconds
 * without pointer movement (see useIdleControls) and stays usable from the keyboard.
 */
export function ControlsPanel({ ref }: { readonly ref: Ref<HTMLElement> }) {
  const services = useServices();
  const { controller } = services;
  const settings = useMirror(selectSettings);
  const cameras = useMirror(selectCameras);
  const model = useMirror(selectCurrentModel);
  const visible = useMirror(selectControlsVisible);
  if (settings === null) return null;

  const change = controller.changeSettings.bind(controller);
  const processing = `${settings.processingSize.width}x${settings.processingSize.height}`;
  const capture = `${settings.camera.width}x${settings.camera.height}`;

  return (
    <aside
      ref={ref}
      className={`controls${visible ? '' : ' idle'}`}
      data-testid="controls"
      aria-label="Mirror settings"
    >
      <button type="button" className="style-button" onClick={() => mirrorStore.getState().togglePicker()}>
        <span className="style-button-label">Style</span>
        <span className="style-button-name">{model?.name ?? 'Choose a style'}</span>
        <kbd>P</kbd>
      </button>

      <Field label="Processing size" hint="smaller is faster, bolder">
        <select
          data-testid="processing-size-select"
          value={processing}
          onChange={(e) => {
            const size = parseSize(e.target.value);
            if (size !== null) void change({ processingSize: size });
          }}
        >
          {withCurrent(PROCESSING_SIZES, processing).map((size) => (
            <option key={size} value={size}>
              {size.replace('x', ' × ')}
            </option>
          ))}
        </select>
      </Field>

      <Field label="Precision" hint="int8: faster on CPUs that have it">
        <select
          data-testid="precision-select"
          value={settings.precision}
          onChange={(e) => {
            const precision = PRECISIONS.find((p) => p.value === e.target.value)?.value;
            if (precision !== undefined) void change({ precision });
          }}
        >
          {PRECISIONS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </Field>

      <Field label="Strength" hint={`${Math.round(settings.strength * 100)} %`}>
        <input
          type="range"
          data-testid="strength-slider"
          min={0}
          max={1}
          step={0.05}
          value={settings.strength}
          onChange={(e) => void change({ strength: Number(e.target.value) })}
        />
      </Field>

      <div className="toggles">
        <Toggle
          testId="preserve-colors-toggle"
          label="Keep colours"
          checked={settings.preserveColors}
          onChange={(preserveColors) => void change({ preserveColors })}
        />
        <Toggle
          testId="split-view-toggle"
          label="Split view"
          checked={settings.splitView}
          onChange={(splitView) => void change({ splitView })}
        />
        <Toggle
          testId="mirror-toggle"
          label="Mirror"
          checked={settings.mirror}
          onChange={(mirror) => void change({ mirror })}
        />
        <Toggle
          testId="stabilize-toggle"
          label="Steady painting"
          checked={settings.stabilize}
          onChange={(stabilize) => void change({ stabilize })}
        />
        <Toggle
          testId="rest-toggle"
          label="Rest when still"
          checked={settings.restWhenStill}
          onChange={(restWhenStill) => void change({ restWhenStill })}
        />
        <Toggle
          testId="hud-toggle"
          label="HUD"
          shortcut="H"
          checked={settings.showHud}
          onChange={(showHud) => void change({ showHud })}
        />
      </div>

      <Field label="Camera">
        <select
          data-testid="camera-select"
          value={settings.camera.deviceId ?? ''}
          onChange={(e) =>
            void change({ camera: { deviceId: e.target.value === '' ? null : e.target.value } })
          }
        >
          <option value="">Default camera</option>
          {cameras.map((camera) => (
            <option key={camera.deviceId} value={camera.deviceId}>
              {camera.label}
            </option>
          ))}
          {settings.camera.deviceId !== null &&
            !cameras.some((c) => c.deviceId === settings.camera.deviceId) && (
              <option value={settings.camera.deviceId}>Chosen camera (not connected)</option>
            )}
        </select>
      </Field>

      <Field label="Capture">
        <select
          data-testid="capture-resolution-select"
          value={capture}
          onChange={(e) => {
            const size = parseSize(e.target.value);
            if (size !== null) void change({ camera: size });
          }}
        >
          {withCurrent(CAPTURE_RESOLUTIONS, capture).map((size) => (
            <option key={size} value={size}>
              {size.replace('x', ' × ')}
            </option>
          ))}
        </select>
      </Field>

      <InstallationSettings settings={settings} change={change} />

      <div className="buttons">
        <button type="button" data-testid="snapshot-button" onClick={() => void takeSnapshot(services)}>
          Snapshot <kbd>S</kbd>
        </button>
        <button type="button" onClick={() => void controller.openSnapshotFolder()}>
          Open snapshots
        </button>
        {/* In browser mode the folders are whatever `serve` was started with: nothing to choose. */}
        {controller.api.transport === 'electron' && (
          <>
            <button
              type="button"
              data-testid="choose-models-folder"
              onClick={() => void controller.chooseFolder('models')}
            >
              Styles folder…
            </button>
            <button
              type="button"
              data-testid="choose-snapshots-folder"
              onClick={() => void controller.chooseFolder('snapshots')}
            >
              Snapshots folder…
            </button>
          </>
        )}
        <button type="button" onClick={toggleFullscreen}>
          Fullscreen <kbd>F11</kbd>
        </button>
      </div>

      <KioskSettings />
    </aside>
  );
}

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">
        {label}
        {hint !== undefined && <span className="field-hint">{hint}</span>}
      </span>
      {children}
    </label>
  );
}

interface ToggleProps {
  readonly testId: string;
  readonly label: string;
  readonly shortcut?: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
}

function Toggle({ testId, label, shortcut, checked, onChange }: ToggleProps) {
  return (
    <label className="toggle">
      <input
        type="checkbox"
        data-testid={testId}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span>{label}</span>
      {shortcut !== undefined && <kbd>{shortcut}</kbd>}
    </label>
  );
}
