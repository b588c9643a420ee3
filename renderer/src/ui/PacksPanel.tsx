import type { PackInfo, PackStatus } from '../../../common/contract.js';
import { selectPacks, selectPacksOpen, selectPackStatus } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';
import { formatBytes } from './library-format.js';

/**
 * "Get more styles": the packs on offer, each with its licence shown before its Download button,
 * and the download under way with its progress and a Cancel.
 */
export function PacksPanel() {
  const open = useMirror(selectPacksOpen);
  const packs = useMirror(selectPacks);
  const status = useMirror(selectPackStatus);
  const { controller } = useServices();
  if (!open) return null;
  const close = () => controller.library.closePacks();
  const busy = status?.state === 'downloading';
  return (
    <div
      className="picker-backdrop packs-backdrop"
      onClick={(event) => {
        if (event.target === event.currentTarget) close();
      }}
    >
      <div
        className="packs"
        data-testid="packs-panel"
        role="dialog"
        aria-modal="true"
        aria-label="Get more styles"
      >
        <header className="picker-header">
          <h2>Get more styles</h2>
          <button type="button" onClick={close}>
            Close
          </button>
        </header>
        {packs === null ? (
          <p className="packs-empty">Looking for style packs…</p>
        ) : packs.length === 0 ? (
          <p className="packs-empty">No style packs are offered here.</p>
        ) : (
          packs.map((pack) => (
            <PackCard
              key={pack.id}
              pack={pack}
              status={status?.packId === pack.id ? status : null}
              otherBusy={busy && status?.packId !== pack.id}
            />
          ))
        )}
      </div>
    </div>
  );
}

interface PackCardProps {
  readonly pack: PackInfo;
  /** This pack's download, if it is the one running or ended last. */
  readonly status: PackStatus | null;
  /** Another pack is downloading: one at a time. */
  readonly otherBusy: boolean;
}

function PackCard({ pack, status, otherBusy }: PackCardProps) {
  const { controller } = useServices();
  const complete = pack.inLibrary >= pack.models;
  return (
    <section className="pack" data-testid="pack" data-pack-id={pack.id}>
      <h3>{pack.name}</h3>
      <p>{pack.description}</p>
      <p className="pack-facts">
        You have {pack.inLibrary} of its {pack.models} styles
        {complete ? '.' : ` · ${formatBytes(pack.bytesToDownload)} to download`}
      </p>
      {status?.state === 'downloading' ? (
        <PackProgress status={status} />
      ) : (
        <>
          {status !== null && <PackOutcome status={status} />}
          {!complete && (
            <div className="pack-licence" data-testid="pack-licence">
              <h4>Licence: {pack.licence.name}</h4>
              {pack.licence.notice !== undefined && <p>{pack.licence.notice}</p>}
              {pack.licence.url !== undefined && <p className="pack-url">{pack.licence.url}</p>}
              <button
                type="button"
                className="primary"
                data-testid="pack-download"
                disabled={otherBusy}
                onClick={() => void controller.library.downloadPack(pack.id)}
              >
                I understand — download
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function PackProgress({ status }: { readonly status: PackStatus }) {
  const { controller } = useServices();
  return (
    <div className="pack-progress" data-testid="pack-progress">
      <progress
        className="pack-bar"
        max={Math.max(status.bytesTotal, 1)}
        value={status.bytesDone}
        aria-label="Downloaded so far"
      />
      <p>
        {status.model === undefined ? 'Starting…' : `Fetching ${status.model}`}
        {status.bytesTotal > 0 && ` — ${formatBytes(status.bytesDone)} of ${formatBytes(status.bytesTotal)}`}
      </p>
      <button
        type="button"
        data-testid="pack-cancel"
        onClick={() => void controller.library.cancelPackDownload()}
      >
        Cancel
      </button>
    </div>
  );
}

function PackOutcome({ status }: { readonly status: PackStatus }) {
  switch (status.state) {
    case 'done':
      return (
        <p className="pack-outcome" data-testid="pack-outcome">
          {status.added.length === 0
            ? 'Done: nothing new to add.'
            : `Done: added ${status.added.length} ${status.added.length === 1 ? 'style' : 'styles'}.`}
        </p>
      );
    case 'failed':
      return (
        <p className="pack-outcome error" data-testid="pack-outcome" role="alert">
          The download failed: {status.error?.message ?? 'no reason given'}
        </p>
      );
    case 'cancelled':
      return (
        <p className="pack-outcome" data-testid="pack-outcome">
          Cancelled. What was fetched is kept: downloading again carries on from there.
        </p>
      );
    default:
      return null;
  }
}
