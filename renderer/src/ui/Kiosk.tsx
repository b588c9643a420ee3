import { useEffect, useState, type FormEvent } from 'react';
import type { DisplayInfo } from '../../../common/contract.js';
import { isKioskChord, KIOSK_CHORD_LABEL, WRONG_PIN_DELAY_MS } from '../kiosk/kiosk-gate.js';
import {
  selectKioskActive,
  selectKioskLocked,
  selectKioskPinOpen,
  selectSettings,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';

/** The kiosk chord, on the whole window, before any other key handling. */
export function useKioskKeys(): void {
  const { kiosk } = useServices();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (!isKioskChord(event) || event.repeat) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      kiosk.chord();
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, [kiosk]);
}

/**
 * Over the kiosk picture in browser mode, until the page is full screen: browsers go full screen only
 * on a person's gesture, so the first click does it (and the hint says so).
 */
export function KioskFullscreenClick() {
  const { controller } = useServices();
  const locked = useMirror(selectKioskLocked);
  const [fullscreen, setFullscreen] = useState(() => document.fullscreenElement !== null);
  useEffect(() => {
    const onChange = (): void => setFullscreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  if (!locked || fullscreen || controller.api.transport !== 'browser') return null;
  return (
    <button
      type="button"
      className="kiosk-fullscreen"
      data-testid="kiosk-fullscreen"
      onClick={() => void document.documentElement.requestFullscreen().catch(() => undefined)}
    >
      <span>Click anywhere for full screen</span>
    </button>
  );
}

/** The PIN pad the kiosk chord opens when a PIN is set: digits by keyboard or by touch. */
export function KioskPinPad() {
  const { kiosk } = useServices();
  const open = useMirror(selectKioskPinOpen);
  const [pin, setPin] = useState('');
  const [wrong, setWrong] = useState(false);
  useEffect(() => {
    if (!wrong) return;
    const timer = setTimeout(() => setWrong(false), WRONG_PIN_DELAY_MS);
    return () => clearTimeout(timer);
  }, [wrong]);
  if (!open) return null;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const outcome = kiosk.submitPin(pin);
    setPin('');
    if (outcome !== 'revealed') setWrong(true);
  };
  const type = (digit: string): void => setPin((p) => (p.length < 8 ? p + digit : p));
  return (
    <form className="message-card kiosk-pin" data-testid="kiosk-pin-pad" onSubmit={submit}>
      <h1>PIN</h1>
      <input
        type="password"
        inputMode="numeric"
        autoComplete="off"
        aria-label="PIN"
        data-testid="kiosk-pin"
        autoFocus
        disabled={wrong}
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
        onKeyDown={(e) => {
          if (e.key === 'Escape') kiosk.hide();
        }}
      />
      <div className="kiosk-digits">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].map((digit) => (
          <button key={digit} type="button" disabled={wrong} onClick={() => type(digit)}>
            {digit}
          </button>
        ))}
      </div>
      <p className="kiosk-pin-status" role="status">
        {wrong ? 'Wrong PIN. Wait a moment, then try again.' : ' '}
      </p>
      <div className="buttons">
        <button type="submit" disabled={wrong || pin.length < 4} data-testid="kiosk-pin-ok">
          Unlock
        </button>
        <button type="button" onClick={() => kiosk.hide()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The settings panel's kiosk section: turn kiosk mode on or leave it, its PIN, starting at login. */
export function KioskSettings() {
  const { controller, kiosk } = useServices();
  const settings = useMirror(selectSettings);
  const active = useMirror(selectKioskActive);
  const [pinDraft, setPinDraft] = useState<string | null>(null);
  if (settings === null) return null;
  const savedPin = settings.kiosk.pin ?? '';
  const draft = pinDraft ?? savedPin;
  const pinValid = draft === '' || /^\d{4,8}$/.test(draft);
  const savePin = (): void => {
    if (!pinValid || draft === savedPin) return;
    void controller.changeSettings({ kiosk: { pin: draft === '' ? null : draft } });
    setPinDraft(null);
  };
  const browser = controller.api.transport === 'browser';

  return (
    <section className="kiosk-settings" aria-label="Kiosk mode">
      <p className="field-hint">
        Kiosk mode shows the picture alone, without pointer or controls; <kbd>{KIOSK_CHORD_LABEL}</kbd> brings
        these settings back{settings.kiosk.pin === null ? '' : ' after the PIN'}.
        {browser && ' In a browser the first click goes full screen.'}
      </p>
      <div className="buttons">
        {active ? (
          <button type="button" data-testid="kiosk-leave" onClick={() => void kiosk.leave()}>
            Leave kiosk mode
          </button>
        ) : (
          <button type="button" data-testid="kiosk-enter" onClick={() => void kiosk.enter()}>
            Kiosk mode
          </button>
        )}
      </div>
      <label className="field">
        <span className="field-label">
          Kiosk PIN
          <span className="field-hint">
            {pinValid ? '4 to 8 digits; empty: none' : 'needs 4 to 8 digits'}
          </span>
        </span>
        <input
          type="password"
          inputMode="numeric"
          autoComplete="off"
          data-testid="kiosk-pin-setting"
          aria-invalid={!pinValid}
          value={draft}
          onChange={(e) => setPinDraft(e.target.value.replace(/\D/g, '').slice(0, 8))}
          onBlur={savePin}
          onKeyDown={(e) => {
            if (e.key === 'Enter') savePin();
          }}
        />
      </label>
      {!browser && <KioskDisplayChoice />}
      {!browser && (
        <label className="toggle">
          <input
            type="checkbox"
            data-testid="kiosk-start-at-login"
            checked={settings.kiosk.startAtLogin}
            onChange={(e) => void controller.changeSettings({ kiosk: { startAtLogin: e.target.checked } })}
          />
          <span>Start at login</span>
        </label>
      )}
    </section>
  );
}

/**
 * Which display kiosk mode fills (the app only: a browser fills the screen its window is on). Lists
 * the displays when the panel opens; a chosen display that is not connected shows as such.
 */
function KioskDisplayChoice() {
  const { controller } = useServices();
  const settings = useMirror(selectSettings);
  const [displays, setDisplays] = useState<readonly DisplayInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void controller.api.listDisplays().then((result) => {
      if (live) setDisplays(result.ok ? result.value : []);
    });
    return () => {
      live = false;
    };
  }, [controller]);
  if (settings === null || displays === null) return null;
  const chosen = settings.kiosk.displayId;
  const missing = chosen !== null && !displays.some((d) => d.id === chosen);
  return (
    <label className="field">
      <span className="field-label">Kiosk display</span>
      <select
        data-testid="kiosk-display"
        value={chosen ?? ''}
        onChange={(e) =>
          void controller.changeSettings({
            kiosk: { displayId: e.target.value === '' ? null : Number(e.target.value) },
          })
        }
      >
        <option value="">the primary display</option>
        {displays.map((d) => (
          <option key={d.id} value={d.id}>
            {`${d.label}, ${d.width}x${d.height}${d.primary ? ' (primary)' : ''}`}
          </option>
        ))}
        {missing && (
          <option value={chosen}>{`display ${chosen} (not connected: the primary display)`}</option>
        )}
      </select>
    </label>
  );
}
