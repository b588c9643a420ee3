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
import { useServices } from './app-context.js';

/** The grid of styles: click (or Enter on) a tile to paint with it. P or Escape closes it. */
export function ModelPicker() {
  const open = useMirror(selectPickerOpen);
  const models = useMirror(selectModels);
  const current = useMirror(selectCurrentModelId);
  const pending = useMirror(selectPendingModelId);
  const { controller } = useServices();
  const gridRef = useRef<HTMLDivElement>(null);

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
          <span className="picker-hint">← → switch · 1–9 pick · P or Esc close</span>
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
            />
          ))}
        </div>
      </div>
    </div>
  );
}

interface ModelTileProps {
  readonly model: ModelInfo;
  readonly number: number;
  readonly current: boolean;
  readonly loading: boolean;
  readonly onChoose: () => void;
}

function ModelTile({ model, number, current, loading, onChoose }: ModelTileProps) {
  const { thumbnails } = useServices();
  const [url, setUrl] = useState<string | null | undefined>(() => thumbnails.peek(model.id));

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
      </span>
      <span className="tile-name">{model.name}</span>
    </button>
  );
}
