import type { ControlRequest, ModelInfo, PackStatus } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { Timers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { ModelSwitcher } from './model-switcher.js';
import type { Notifier } from './notifier.js';

/** One file of a dropped or picked style, as `models:import` takes it. */
export type ImportFile = ControlRequest<'models:import'>['files'][number];

/** How often a running pack download is asked how far it got (about three times a second). */
export const PACK_POLL_MS = 330;

/**
 * The name people know an upload by: the zip's name, or the folder the files share. Null when the
 * files have no common folder (loose files dropped on their own).
 */
export function importName(files: readonly Pick<ImportFile, 'path'>[]): string | null {
  const first = files[0]?.path;
  if (first === undefined) return null;
  if (files.length === 1 && /\.zip$/i.test(first)) return baseName(first).replace(/\.zip$/i, '');
  const folder = first.split('/')[0]!;
  const shared = files.every((f) => f.path.startsWith(`${folder}/`));
  return shared && folder !== '' ? folder : null;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Changes to the style library: adding a style (uploaded, or picked in the system's dialog), renaming
 * and deleting library styles, and downloading packs from "Get more styles". A new style is shown at
 * once; a failure says why and leaves the running style in place.
 */
export class StyleLibrary {
  private polling = false;

  constructor(
    private readonly api: MirrorApi,
    private readonly store: MirrorStore,
    private readonly notifier: Notifier,
    private readonly switcher: ModelSwitcher,
    private readonly timers: Timers,
  ) {}

  /** Adds the uploaded files as a style and switches to it. One import at a time. */
  async importFiles(files: readonly ImportFile[]): Promise<void> {
    if (files.length === 0) {
      this.notifier.toast('error', 'Nothing to add: the folder or zip was empty.');
      return;
    }
    const name = importName(files);
    await this.runImport(name, () => this.api.importModel({ files: [...files] }));
  }

  /** Lets the person pick a folder or .zip in the system's dialog (Electron), then as `importFiles`. */
  importFromDialog(): Promise<void> {
    return this.runImport(null, () => this.api.importModelFromDialog());
  }

  /** Gives a library style a new name; resolves to whether it took. */
  async rename(model: ModelInfo, name: string): Promise<boolean> {
    const wanted = name.trim();
    if (wanted === '' || wanted === model.name) return wanted !== '';
    const result = await this.api.renameModel({ id: model.id, name: wanted });
    if (!result.ok) {
      this.notifier.toast('error', `Could not rename "${model.name}": ${result.error.message}`);
      return false;
    }
    await this.refresh();
    return true;
  }

  /**
   * Deletes a library style (the page has asked the person). If it was the running style the mirror
   * moves on to the first style left, or shows the camera unpainted when none is.
   */
  async remove(model: ModelInfo): Promise<void> {
    const result = await this.api.removeModel({ id: model.id });
    if (!result.ok) {
      this.notifier.toast('error', `Could not delete "${model.name}": ${result.error.message}`);
      return;
    }
    await this.refresh();
    this.notifier.toast('info', `Deleted "${model.name}".`);
    const state = this.store.getState();
    if (state.currentModelId !== model.id) return;
    const left = (state.models ?? []).filter((m) => m.id !== model.id);
    state.setCurrentModel(null);
    state.setEngine(null);
    await this.switcher.selectFirstWorking(left.map((m) => m.id));
  }

  /** Lists the styles again; false when the app did not answer. */
  async refresh(): Promise<boolean> {
    const result = await this.api.listModels();
    if (result.ok) this.store.getState().setModels(result.value);
    return result.ok;
  }

  /** Opens "Get more styles": lists the packs, and follows a download already running. */
  async openPacks(): Promise<void> {
    const state = this.store.getState();
    state.setPacksOpen(true);
    const [packs, status] = await Promise.all([this.api.listPacks(), this.api.packStatus()]);
    if (packs.ok) this.store.getState().setPacks(packs.value);
    else {
      this.store.getState().setPacks([]);
      this.notifier.toast('error', `Could not list the style packs: ${packs.error.message}`);
    }
    if (status.ok) {
      this.store.getState().setPackStatus(status.value);
      if (status.value.state === 'downloading') this.poll();
    }
  }

  closePacks(): void {
    this.store.getState().setPacksOpen(false);
  }

  /** Starts downloading a pack (the person has read its licence) and follows it until it ends. */
  async downloadPack(packId: string): Promise<void> {
    const result = await this.api.downloadPack({ id: packId });
    if (!result.ok) {
      this.notifier.toast('error', `Could not download the styles: ${result.error.message}`);
      return;
    }
    this.store.getState().setPackStatus(result.value);
    this.poll();
  }

  async cancelPackDownload(): Promise<void> {
    const result = await this.api.cancelPackDownload();
    if (!result.ok) this.notifier.toast('error', `Could not cancel the download: ${result.error.message}`);
  }

  private async runImport(
    name: string | null,
    call: () => ReturnType<MirrorApi['importModelFromDialog']>,
  ): Promise<void> {
    const running = this.store.getState().importing;
    if (running !== null) {
      this.notifier.toast('info', `Still adding ${running.name ?? 'a style'}: one style at a time.`);
      return;
    }
    this.store.getState().setImporting({ name });
    let added: ModelInfo | null;
    try {
      const result = await call();
      if (!result.ok) {
        const what = name === null ? 'the style' : `"${name}"`;
        this.notifier.toast('error', `Could not add ${what}: ${result.error.message}`);
        return;
      }
      added = result.value;
      if (added === null) return; // The person closed the dialog.
      await this.refresh();
      const models = this.store.getState().models ?? [];
      // The list may not have come back: the new style is in the library all the same.
      if (!models.some((m) => m.id === added!.id)) this.store.getState().setModels([...models, added]);
    } finally {
      this.store.getState().setImporting(null);
    }
    await this.switcher.select(added.id);
  }

  /** Asks for the download's status every `PACK_POLL_MS` until it is over; one poller at a time. */
  private poll(): void {
    if (this.polling) return;
    this.polling = true;
    const tick = async (): Promise<void> => {
      const result = await this.api.packStatus();
      if (!result.ok) {
        this.polling = false;
        this.notifier.toast('error', `Lost track of the download: ${result.error.message}`);
        return;
      }
      this.store.getState().setPackStatus(result.value);
      if (result.value.state === 'downloading') {
        this.timers.setTimeout(() => void tick(), PACK_POLL_MS);
        return;
      }
      this.polling = false;
      await this.finished(result.value);
    };
    this.timers.setTimeout(() => void tick(), PACK_POLL_MS);
  }

  /** A download ended: list what it added, and say so. */
  private async finished(status: PackStatus): Promise<void> {
    const pack = this.store.getState().packs?.find((p) => p.id === status.packId);
    const packName = pack?.name ?? status.packId ?? 'the pack';
    if (status.state === 'failed') {
      this.notifier.toast(
        'error',
        `Downloading ${packName} failed: ${status.error?.message ?? 'no reason given'}`,
      );
      return;
    }
    if (status.state !== 'done') return; // Cancelled: the panel says so.
    await this.refresh();
    const packs = await this.api.listPacks();
    if (packs.ok) this.store.getState().setPacks(packs.value);
    const models = this.store.getState().models ?? [];
    const names = status.added.map((id) => models.find((m) => m.id === id)?.name ?? id);
    this.notifier.toast(
      'info',
      names.length === 0
        ? `Nothing new: you already have every style in ${packName}.`
        : `Added ${names.length} ${names.length === 1 ? 'style' : 'styles'} from ${packName}: ${names.join(', ')}.`,
    );
  }
}
