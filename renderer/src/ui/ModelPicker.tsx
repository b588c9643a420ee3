import { useEffect, useRef, useState } from 'react';
import type { ModelInfo } from '../../../common/contract.js';
import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCurrentModelId,
  selectModels,
  selectPendingModelId,
  selectPickerOpen,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { AddStyleButtons, GetMoreStylesButton } from './AddStyle.js';
import { useServices } from './app-context.js';

/**
 * The grid of styles: click (or Enter on) a tile to paint with it. P or Escape closes it. Library
 * styles can be renamed and deleted here; "Add style…" and "Get more styles" grow the library.
 */
export function ModelPicker() {
  const open = useMirror(selectPickerOpen);
  const models = useMirror(selectModels);
  const current = useMirror(selectCurrentModelId);
  const pending = useMirror(selectPendingModelId);
  const { controller } = useServices();
  const gridRef = useRef<HTMLDivElement>(null);
  const [deleting, setDeleting] = useState<ModelInfo | null>(null);

  useEffect(() => {
    if (!open) return;
    void controller.refreshModels();
    // Keyboard first: focus lands on the style being shown, so Tab and Enter work at once.
    const tile =
      gridRef.current?.querySelector<HTMLButtonElement>('[aria-current="true"]') ??
      gridRef.current?.querySelector<HTMLButtonElement>('button');
    tile?.focus();
  }, [open, controller]);

  if (!open) return null;
  const close = () => mirrorStore.getState().setPickerOpen(false);
  return (
    <div
      className="picker-backdrop"
      onClick={(event) => {
        if (event.target === event.currentTarget) close();
      }}
    >
      <div className="picker" data-testid="model-picker" role="dialog" aria-modal="true" aria-label="Styles">
        <header className="picker-header">
          <h2>Styles</h2>
          <span className="picker-hint">
            ← → switch · 1–9 pick · P or Esc close · drop a folder or .zip to add
          </span>
          <div className="picker-actions">
            <AddStyleButtons />
            <GetMoreStylesButton />
          </div>
        </header>
        <div className="picker-grid" ref={gridRef}>
          {(models ?? []).map((model, index) => (
            <ModelTile
              key={model.id}
              model={model}
              number={index + 1}
              current={model.id === current}
              loading={model.id === pending}
              onChoose={() => {
                void controller.models.select(model.id);
                close();
              }}
              onDelete={() => setDeleting(model)}
            />
          ))}
        </div>
      </div>
      {deleting !== null && (
        <ConfirmDelete
          model={deleting}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            setDeleting(null);
            void controller.library.remove(deleting);
          }}
        />
      )}
    </div>
  );
}

interface ModelTileProps {
  readonly model: ModelInfo;
  readonly number: number;
  readonly current: boolean;
  readonly loading: boolean;
  readonly onChoose: () => void;
  readonly onDelete: () => void;
}

function ModelTile({ model, number, current, loading, onChoose, onDelete }: ModelTileProps) {
  const { thumbnails } = useServices();
  const [url, setUrl] = useState<string | null | undefined>(() => thumbnails.peek(model.id));
  const [renaming, setRenaming] = useState(false);

  useEffect(() => {
    if (url !== undefined) return;
    let live = true;
    void thumbnails.get(model).then((made) => {
      if (live) setUrl(made);
    });
    return () => {
      live = false;
    };
  }, [model, thumbnails, url]);

  return (
    <div className="tile" data-model-id={model.id}>
      <button
        type="button"
        className={`model-tile${current ? ' current' : ''}${loading ? ' loading' : ''}`}
        data-testid="model-tile"
        data-model-id={model.id}
        aria-current={current}
        onClick={onChoose}
      >
        <span className="tile-image">
          {typeof url === 'string' ? (
            <img src={url} alt="" draggable={false} />
          ) : (
            <span className="tile-placeholder" aria-hidden="true">
              {model.name.slice(0, 1)}
            </span>
          )}
          {number <= 9 && <span className="tile-number">{number}</span>}
          {model.licence !== undefined && (
            <span
              className="tile-licence"
              data-testid="licence-badge"
              title={model.licence.notice ?? model.licence.name}
            >
              {model.licence.name}
            </span>
          )}
        </span>
        {!renaming && <span className="tile-name">{model.name}</span>}
      </button>
      {renaming && <RenameField model={model} onDone={() => setRenaming(false)} />}
      {model.editable && !renaming && (
        <span className="tile-actions">
          <button type="button" data-testid="rename-style" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <button type="button" data-testid="delete-style" onClick={onDelete}>
            Delete
          </button>
        </span>
      )}
    </div>
  );
}

/** The style's name, editable: Enter keeps it, Escape (or leaving the field) gives it up. */
function RenameField({ model, onDone }: { readonly model: ModelInfo; readonly onDone: () => void }) {
  const { controller } = useServices();
  const [name, setName] = useState(model.name);
  const saving = useRef(false);
  return (
    <input
      className="tile-rename"
      data-testid="rename-field"
      aria-label={`New name for ${model.name}`}
      value={name}
      maxLength={200}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setName(event.currentTarget.value)}
      onBlur={() => {
        if (!saving.current) onDone();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onDone();
        } else if (event.key === 'Enter') {
          saving.current = true;
          void controller.library.rename(model, name).then(onDone);
        }
      }}
    />
  );
}

/** Asks before deleting: a deleted style's files are gone. */
function ConfirmDelete({
  model,
  onCancel,
  onConfirm,
}: {
  readonly model: ModelInfo;
  readonly onCancel: () => void;
  readonly onConfirm: () => void;
}) {
  return (
    <div className="confirm-backdrop">
      <div
        className="confirm"
        role="alertdialog"
        aria-modal="true"
        data-testid="confirm-delete"
        aria-label="Delete style"
      >
        <p>
          Delete <strong>{model.name}</strong>? Its files are removed from the library; this cannot be undone.
        </p>
        <div className="buttons">
          <button type="button" autoFocus onClick={onCancel}>
            Keep it
          </button>
          <button type="button" className="danger" data-testid="confirm-delete-button" onClick={onConfirm}>
            Delete {model.name}
          </button>
        </div>
      </div>
    </div>
  );
}
