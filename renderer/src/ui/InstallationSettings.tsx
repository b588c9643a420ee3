import type { Settings, SettingsPatch } from '../../../common/settings-schema.js';
import { selectModels } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import {
  ATTRACT_AFTER_SECONDS,
  ATTRACT_CYCLE_SECONDS,
  clockTimeOf,
  CROSSFADE_MS,
  CYCLE_SECONDS,
  formatSeconds,
  withValue,
} from './installation-options.js';

interface InstallationSettingsProps {
  readonly settings: Settings;
  readonly change: (patch: SettingsPatch) => unknown;
}

/** What attract mode does, as one choice: slower changes, hold the current style, or hold a style. */
const SLOWER = 'slower';
const HOLD_CURRENT = 'hold';

/**
 * The settings panel's Installation section, for a mirror on a gallery wall: styles that change by
 * themselves (how often, in which order, how they fade), attract mode when nobody moves, and opening
 * hours. Compact: one row per idea.
 */
export function InstallationSettings({ settings, change }: InstallationSettingsProps) {
  const models = useMirror(selectModels) ?? [];
  const { cycle, attract, openingHours } = settings;
  const attractChoice =
    attract.mode === 'slower' ? SLOWER : attract.modelId === null ? HOLD_CURRENT : `style:${attract.modelId}`;

  return (
    <fieldset className="installation" data-testid="installation-settings">
      <legend>Installation</legend>
      <div className="installation-row">
        <label>
          <span>Next style</span>
          <SecondsSelect
            testId="cycle-seconds-select"
            value={cycle.seconds}
            choices={CYCLE_SECONDS}
            offLabel="off"
            onChange={(seconds) => void change({ cycle: { seconds } })}
          />
        </label>
        <label>
          <span>Order</span>
          <select
            data-testid="cycle-order-select"
            value={cycle.order}
            onChange={(e) =>
              void change({ cycle: { order: e.target.value === 'shuffle' ? 'shuffle' : 'sequence' } })
            }
          >
            <option value="sequence">in turn</option>
            <option value="shuffle">shuffled</option>
          </select>
        </label>
        <label>
          <span>Fade</span>
          <select
            data-testid="crossfade-select"
            value={cycle.crossfadeMs}
            onChange={(e) => void change({ cycle: { crossfadeMs: Number(e.target.value) } })}
          >
            {withValue(CROSSFADE_MS, cycle.crossfadeMs).map((ms) => (
              <option key={ms} value={ms}>
                {ms === 0 ? 'cut' : formatSeconds(ms / 1000)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className="installation-row">
        <label>
          <span>Idle after</span>
          <SecondsSelect
            testId="attract-after-select"
            value={attract.afterSeconds}
            choices={ATTRACT_AFTER_SECONDS}
            offLabel="never"
            onChange={(afterSeconds) => void change({ attract: { afterSeconds } })}
          />
        </label>
        <label>
          <span>Idle shows</span>
          <select
            data-testid="attract-mode-select"
            value={attractChoice}
            onChange={(e) => {
              const choice = e.target.value;
              if (choice === SLOWER) void change({ attract: { mode: 'slower' } });
              else if (choice === HOLD_CURRENT) void change({ attract: { mode: 'style', modelId: null } });
              else void change({ attract: { mode: 'style', modelId: choice.slice('style:'.length) } });
            }}
          >
            <option value={SLOWER}>slower</option>
            <option value={HOLD_CURRENT}>this style</option>
            {models.map((m) => (
              <option key={m.id} value={`style:${m.id}`}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        {attract.mode === 'slower' && (
          <label>
            <span>Idle every</span>
            <SecondsSelect
              testId="attract-cycle-select"
              value={attract.cycleSeconds}
              choices={ATTRACT_CYCLE_SECONDS}
              onChange={(cycleSeconds) => {
                if (cycleSeconds !== null) void change({ attract: { cycleSeconds } });
              }}
            />
          </label>
        )}
      </div>

      <div className="installation-row opening">
        <label className="toggle">
          <input
            type="checkbox"
            data-testid="opening-hours-toggle"
            checked={openingHours.enabled}
            onChange={(e) => void change({ openingHours: { enabled: e.target.checked } })}
          />
          <span>Opening hours</span>
        </label>
        <select
          aria-label="When closed"
          data-testid="opening-hours-closed-select"
          value={openingHours.closed}
          onChange={(e) =>
            void change({ openingHours: { closed: e.target.value === 'black' ? 'black' : 'dim' } })
          }
        >
          <option value="dim">dim</option>
          <option value="black">black</option>
        </select>
      </div>
      <div className="installation-row hours">
        <input
          type="time"
          aria-label="Opens at"
          data-testid="opening-hours-open"
          value={openingHours.open}
          onChange={(e) => {
            const open = clockTimeOf(e.target.value);
            if (open !== null) void change({ openingHours: { open } });
          }}
        />
        <span>to</span>
        <input
          type="time"
          aria-label="Closes at"
          data-testid="opening-hours-close"
          value={openingHours.close}
          onChange={(e) => {
            const close = clockTimeOf(e.target.value);
            if (close !== null) void change({ openingHours: { close } });
          }}
        />
      </div>
    </fieldset>
  );
}

/**
 * A choice of a number of seconds from `choices` (and the current value, if it is not one of them),
 * with an "off" entry giving null where `offLabel` is given.
 */
function SecondsSelect(props: {
  readonly testId: string;
  readonly value: number | null;
  readonly choices: readonly number[];
  readonly offLabel?: string;
  readonly onChange: (seconds: number | null) => void;
}) {
  const { testId, value, choices, offLabel, onChange } = props;
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    >
      {offLabel !== undefined && <option value="">{offLabel}</option>}
      {withValue(choices, value ?? choices[0]!).map((s) => (
        <option key={s} value={s}>
          {formatSeconds(s)}
        </option>
      ))}
    </select>
  );
}
