import type { Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { MirrorEvent } from '../../../common/mirror-events.js';
import type { SettingsPatch } from '../../../common/settings-schema.js';
import { realTimers, sleep, type Timers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { ModelSwitcher } from './model-switcher.js';
import { Notifier } from './notifier.js';
import { startPageReports } from './page-reporter.js';
import { OpeningHoursWatch } from './opening-hours-watch.js';
import { SettingsSaver } from './settings-saver.js';
import { StyleCycler } from './style-cycler.js';
import { StyleLibrary } from './style-library.js';

/** Waits between attempts to reach the app at start: first, then doubling up to the last. */
const START_RETRY_MS = [500, 1000, 2000, 5000] as const;
/** At most one engine check per this long while frames are failing. */
const RECOVERY_INTERVAL_MS = 2000;

/** What the page does that needs its surfaces (the canvas): given by whoever owns them. */
export interface PageActions {
  snapshot(): Promise<void>;
}

/**
 * What the mirror does, apart from pumping frames: starting up, switching styles, saving settings
 * and snapshots, getting the engine back after it restarted. Components call it; it talks to the
 * API and writes the store. No DOM: tests drive it with a fake API.
 */
export class MirrorController {
  readonly notifier: Notifier;
  readonly models: ModelSwitcher;
  readonly library: StyleLibrary;
  private readonly settings: SettingsSaver;
  private readonly cycler: StyleCycler;
  private readonly openingHours: OpeningHoursWatch;
  private stopped = false;
  private lastRecovery = Number.NEGATIVE_INFINITY;

  constructor(
    readonly api: MirrorApi,
    private readonly store: MirrorStore,
    private readonly timers: Timers = realTimers,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.notifier = new Notifier(store, timers);
    this.models = new ModelSwitcher(api, store, this.notifier);
    this.library = new StyleLibrary(api, store, this.notifier, this.models, timers);
    this.settings = new SettingsSaver(api, store, (message) => this.notifier.toast('error', message));
    this.cycler = new StyleCycler({ store, switcher: this.models, timers });
    this.openingHours = new OpeningHoursWatch(store, timers);
  }

  /**
   * Loads settings and the model library (retrying until the app answers: in browser mode the server
   * may still be starting), then the style used last, or the first.
   */
  async start(): Promise<void> {
    const settings = await this.untilOk('Reading the settings', () => this.api.getSettings());
    if (settings === undefined) return;
    this.settings.loaded(settings);
    // Both read the store as it fills: a library empty now may have styles later.
    this.openingHours.start();
    this.cycler.start();
    await this.showSettingsWarnings();
    const models = await this.untilOk('Listing the styles', () => this.api.listModels());
    if (models === undefined) return;
    const state = this.store.getState();
    state.setModels(models);
    state.setStartupProblem(null);
    if (models.length === 0) return;

    // After a page reload the engine may already run the right model: adopt it, do not reload it.
    const running = await this.api.engineStatus();
    if (running.ok && running.value !== null && models.some((m) => m.id === running.value?.modelId)) {
      state.setCurrentModel(running.value.modelId);
      state.setEngine(running.value);
    }
    const last = settings.lastModelId;
    const first = last !== null && models.some((m) => m.id === last) ? last : models[0]!.id;
    await this.models.selectFirstWorking([first, ...models.map((m) => m.id).filter((id) => id !== first)]);
  }

  /**
   * Connects the page to the remote control both ways: applies the events main pushes, and reports
   * what only the page knows every second. Returns the disconnect function.
   */
  connectRemote(actions: PageActions): () => void {
    const unsubscribe = this.api.onEvent((event) => void this.applyEvent(event, actions));
    const stopReports = startPageReports(this.api, this.store, this.timers, this.now);
    return () => {
      unsubscribe();
      stopReports();
    };
  }

  /**
   * One event from main, through the same doors a person's keys use: new settings go to the store
   * as they are (main already saved them), style commands to the switcher, a snapshot to `actions`.
   */
  async applyEvent(event: MirrorEvent, actions: PageActions): Promise<void> {
    if (event.kind === 'settings') {
      this.settings.loaded(event.settings);
      return;
    }
    const { command } = event;
    switch (command.verb) {
      case 'style-next':
        return this.models.step(1);
      case 'style-previous':
        return this.models.step(-1);
      case 'select-style':
        // A style added since the page listed them (main checked the id): list them again first.
        if (this.store.getState().models?.some((m) => m.id === command.id) !== true) {
          await this.refreshModels();
        }
        return this.models.select(command.id);
      case 'snapshot':
        return actions.snapshot();
    }
  }

  /** Stops retries; the page is going away. */
  stop(): void {
    this.stopped = true;
    this.cycler.stop();
    this.openingHours.stop();
  }

  /**
   * Applies a settings change now and saves it. A change to how the engine loads a model (precision,
   * backend) loads the running style again once saved: the service reads them on every load.
   */
  async changeSettings(patch: SettingsPatch): Promise<void> {
    await this.settings.change(patch);
    if (patch.precision !== undefined || patch.backend !== undefined) await this.models.reload();
  }

  /** Lists the styles again (the picker does, when it opens: a person may have added a folder). */
  async refreshModels(): Promise<void> {
    await this.library.refresh();
  }

  /** Saves PNG bytes as a snapshot and says where it went. */
  async saveSnapshot(png: Uint8Array): Promise<void> {
    const result = await this.api.saveSnapshot({ png });
    if (result.ok) this.notifier.toast('snapshot', `Snapshot saved: ${result.value.path}`);
    else this.notifier.toast('error', `Could not save the snapshot: ${result.error.message}`);
  }

  /** Saves a recording of the mirror beside the snapshots (the app; browser mode downloads it instead). */
  async saveRecording(webm: Uint8Array, seconds: number): Promise<void> {
    const result = await this.api.saveRecording({ webm });
    if (result.ok) {
      this.notifier.toast('snapshot', `Recording (${Math.round(seconds)} s) saved: ${result.value.path}`);
    } else {
      this.notifier.toast('error', `Could not save the recording: ${result.error.message}`);
    }
  }

  async openSnapshotFolder(): Promise<void> {
    const result = await this.api.openSnapshotFolder();
    if (!result.ok)
      this.notifier.toast('error', `Could not open the snapshots folder: ${result.error.message}`);
    else if (this.api.transport === 'browser')
      this.notifier.toast('info', `Snapshots are saved in ${result.value.path}`);
  }

  /**
   * Asks the app for a folder: Electron opens the system's folder dialog, the page never names a path.
   * A new models folder lists its styles at once.
   */
  async chooseFolder(purpose: 'models' | 'snapshots'): Promise<void> {
    const result =
      purpose === 'models' ? await this.api.chooseModelsFolder() : await this.api.chooseSnapshotsFolder();
    if (!result.ok) {
      this.notifier.toast('error', `Could not choose the ${purpose} folder: ${result.error.message}`);
      return;
    }
    if (result.value === null) return; // Cancelled.
    this.settings.loaded(result.value);
    if (purpose === 'models') {
      await this.refreshModels();
      this.notifier.toast('info', `Styles from ${result.value.modelsDir}`);
    } else {
      this.notifier.toast('info', `Snapshots are saved in ${result.value.snapshotsDir}`);
    }
  }

  /**
   * Frames are failing. If the engine came back without our model (it restarted, or the browser-mode
   * server did), load the model again, quietly. Checks at most every couple of seconds.
   */
  async engineTrouble(): Promise<void> {
    const now = this.now();
    if (now - this.lastRecovery < RECOVERY_INTERVAL_MS) return;
    this.lastRecovery = now;
    const { currentModelId, pendingModelId } = this.store.getState();
    if (currentModelId === null || pendingModelId !== null) return;
    const status = await this.api.engineStatus();
    if (status.ok && status.value?.modelId !== currentModelId) {
      // Make the switcher load it even though the store still names it as current.
      this.store.getState().setCurrentModel(null);
      await this.models.select(currentModelId, { announce: false });
      if (this.store.getState().currentModelId === null)
        this.store.getState().setCurrentModel(currentModelId);
    }
  }

  /** Says what went wrong with the settings file (reset values, a read-only folder), once, at start. */
  private async showSettingsWarnings(): Promise<void> {
    const warnings = await this.api.settingsWarnings();
    if (!warnings.ok) return; // The settings themselves were read: nothing here stops the mirror.
    for (const warning of warnings.value) this.notifier.toast('warning', warning);
  }

  private async untilOk<T>(what: string, call: () => Promise<Result<T>>): Promise<T | undefined> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const result = await call();
      if (result.ok) return result.value;
      this.store.getState().setStartupProblem(`${what} failed: ${result.error.message}`);
      await sleep(this.timers, START_RETRY_MS[Math.min(attempt, START_RETRY_MS.length - 1)]!);
    }
    return undefined;
  }
}
