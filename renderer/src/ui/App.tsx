import { useRef } from 'react';
import { selectControlsVisible, selectKioskLocked, selectKioskPinOpen } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { DropToAdd, ImportProgress } from './AddStyle.js';
import { AppContext, type AppServices } from './app-context.js';
import { ControlsPanel } from './ControlsPanel.js';
import { Hud } from './Hud.js';
import { KioskFullscreenClick, KioskPinPad, useKioskKeys } from './Kiosk.js';
import { CameraError, CameraLost, NoModels, Recovering, StatusLine } from './Messages.js';
import { ModelPicker } from './ModelPicker.js';
import { PacksPanel } from './PacksPanel.js';
import { RecordingIndicator } from './RecordingIndicator.js';
import { Stage } from './Stage.js';
import { ModelNameToast, Toasts } from './Toasts.js';
import { useIdleControls } from './use-idle-controls.js';
import { useKeyboardShortcuts } from './use-keyboard-shortcuts.js';

/** The mirror: the picture fills the window; everything else floats over it and keeps out of the way. */
export function App({ services }: { readonly services: AppServices }) {
  const panelRef = useRef<HTMLElement>(null);
  const controlsVisible = useMirror(selectControlsVisible);
  const kioskLocked = useMirror(selectKioskLocked);
  const pinOpen = useMirror(selectKioskPinOpen);
  useKeyboardShortcuts(services);
  useIdleControls(panelRef);
  const kioskClass = kioskLocked ? (pinOpen ? ' kiosk pin' : ' kiosk') : '';
  return (
    <AppContext value={services}>
      <KioskKeys />
      <main className={`app${controlsVisible ? '' : ' idle'}${kioskClass}`} data-testid="app">
        <Stage />
        {/* A kiosk shows the picture alone; what matters shows as the full-screen cards below. */}
        {!kioskLocked && (
          <>
            <Hud />
            <RecordingIndicator />
            <ModelNameToast />
            <StatusLine />
            <Toasts />
            <ControlsPanel ref={panelRef} />
            <ModelPicker />
            <PacksPanel />
            <ImportProgress />
            <DropToAdd />
          </>
        )}
        <NoModels />
        <CameraError />
        <CameraLost />
        <Recovering />
        <KioskFullscreenClick />
        <KioskPinPad />
      </main>
    </AppContext>
  );
}

/** The kiosk chord's listener, inside the services' context. */
function KioskKeys() {
  useKioskKeys();
  return null;
}
