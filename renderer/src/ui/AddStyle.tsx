import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { selectImporting } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';
import { dragHasFiles, filesFromDrop, filesFromInput } from './dropped-files.js';

/**
 * "Add style…": the system's dialog in Electron; in a browser, a .zip picker and a folder picker
 * (a browser can offer only one or the other per input).
 */
export function AddStyleButtons() {
  const { controller } = useServices();
  const zipRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const busy = useMirror(selectImporting) !== null;

  if (controller.api.transport === 'electron') {
    return (
      <button
        type="button"
        data-testid="add-style"
        disabled={busy}
        onClick={() => void controller.library.importFromDialog()}
      >
        Add style…
      </button>
    );
  }
  const picked = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    if (input.files === null || input.files.length === 0) return;
    const files = await filesFromInput(input.files);
    input.value = ''; // Picking the same file again must fire `change` again.
    await controller.library.importFiles(files);
  };
  return (
    <>
      <button type="button" data-testid="add-style" disabled={busy} onClick={() => zipRef.current?.click()}>
        Add style (.zip)…
      </button>
      <button
        type="button"
        data-testid="add-style-folder"
        disabled={busy}
        onClick={() => folderRef.current?.click()}
      >
        Add style folder…
      </button>
      <input
        ref={zipRef}
        type="file"
        accept=".zip,application/zip"
        hidden
        data-testid="add-style-zip-input"
        onChange={(event) => void picked(event)}
      />
      <input
        ref={folderRef}
        type="file"
        hidden
        data-testid="add-style-folder-input"
        // React knows no `webkitdirectory` prop: set as a plain attribute.
        {...{ webkitdirectory: '' }}
        onChange={(event) => void picked(event)}
      />
    </>
  );
}

/** Drop a model folder or a .zip anywhere on the window to add it; an overlay says so while dragging. */
/** Opens "Get more styles": the packs panel, with each pack's licence before its download. */
export function GetMoreStylesButton() {
  const { controller } = useServices();
  return (
    <button type="button" data-testid="get-more-styles" onClick={() => void controller.library.openPacks()}>
      Get more styles
    </button>
  );
}

export function DropToAdd() {
  const { controller } = useServices();
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    // enter/leave fire for every element crossed: count them to know when the drag left the window.
    let depth = 0;
    const enter = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      depth++;
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      event.preventDefault(); // Else the browser opens the file instead of dropping it here.
      if (event.dataTransfer !== null) event.dataTransfer.dropEffect = 'copy';
    };
    const drop = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer) || event.dataTransfer === null) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      void filesFromDrop(event.dataTransfer).then(
        (files) => controller.library.importFiles(files),
        (error: unknown) =>
          controller.notifier.toast('error', `Could not read what was dropped: ${String(error)}`),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [controller]);

  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-target">Drop a style folder or .zip to add it</div>
    </div>
  );
}

/** While a style is being added: a card with a moving bar, plainly not the live picture. */
export function ImportProgress() {
  const importing = useMirror(selectImporting);
  if (importing === null) return null;
  return (
    <div className="import-progress" data-testid="import-progress" role="status" aria-live="polite">
      <div className="import-card">
        <p>
          Adding {importing.name === null ? 'a style' : <strong>{importing.name}</strong>}… checking the model
        </p>
        <div className="progress" aria-hidden="true">
          <span />
        </div>
      </div>
    </div>
  );
}
