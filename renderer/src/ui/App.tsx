import { useRef } from 'react';
import { selectControlsVisible } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { DropToAdd, ImportProgress } from './AddStyle.js';
import { AppContext, type AppServices } from './app-context.js';
import { ControlsPanel } from './ControlsPanel.js';
import { Hud } from './Hud.js';
import { CameraError, NoModels, StatusLine } from './Messages.js';
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
  useKeyboardShortcuts(services);
  useIdleControls(panelRef);
  return (
    <AppContext value={services}>
      <main className={`app${controlsVisible ? '' : ' idle'}`}>
        <Stage />
        <Hud />
        <RecordingIndicator />
        <ModelNameToast />
        <NoModels />
        <CameraError />
        <StatusLine />
        <Toasts />
        <ControlsPanel ref={panelRef} />
        <ModelPicker />
        <PacksPanel />
        <ImportProgress />
        <DropToAdd />
      </main>
    </AppContext>
  );
}
