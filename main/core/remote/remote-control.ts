/**
 * The remote control's listeners (HTTP and OSC), started, stopped and restarted as their ports
 * change: from the command line (`--control-port`, `--osc-port`, `--control-host`), else from the
 * settings' `remote` group. Both adapters (`serve`, the app) use this.
 */
import type { Settings } from '../../../common/settings-schema.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { startControlHttp, type ControlHttp } from './control-http.js';
import { startControlOsc, type ControlOsc } from './control-osc.js';
import type { ModelLibrary } from '../model-library.js';
import type { PageHub } from './page-hub.js';
import { createRemoteVerbs, type RunVerb } from './remote-verbs.js';
import { statusDocument, type StatusDocument, type StatusFacts } from './status-document.js';

/** Where the remote control listens; a null port: that listener is off. */
export interface RemoteEndpoints {
  readonly host: string;
  readonly httpPort: number | null;
  readonly oscPort: number | null;
}

/** The command line's choices, each overriding the settings' when given. */
export interface RemoteOverrides {
  readonly host?: string;
  readonly httpPort?: number;
  readonly oscPort?: number;
}

export const DEFAULT_CONTROL_HOST = '127.0.0.1';

/** The endpoints for `settings`, with the command line's overrides. */
export function remoteEndpoints(settings: Settings, overrides: RemoteOverrides = {}): RemoteEndpoints {
  return {
    host: overrides.host ?? DEFAULT_CONTROL_HOST,
    httpPort: overrides.httpPort ?? settings.remote.httpPort,
    oscPort: overrides.oscPort ?? settings.remote.oscPort,
  };
}

export interface RemoteControlDeps {
  readonly run: RunVerb;
  readonly status: () => Promise<StatusDocument>;
  /** Problems and where the listeners are, one line each. */
  readonly log: (line: string) => void;
}

/**
 * The remote control of one mirror, as both adapters make it: verbs that act on `settings` and the
 * `pages`, refusing style ids the `library` does not list, and a status document of the adapter's
 * `facts` merged with the pages' reports. Listens nowhere until {@link RemoteControl.configure}.
 */
export function createRemoteControl(mirror: {
  readonly settings: SettingsStore;
  readonly pages: PageHub;
  readonly library: Pick<ModelLibrary, 'list'>;
  readonly facts: StatusFacts;
  readonly log: (line: string) => void;
}): RemoteControl {
  const { settings, pages, library, facts, log } = mirror;
  return new RemoteControl({
    run: createRemoteVerbs({
      settings,
      pages,
      styleIds: async () => (await library.list()).map((model) => model.id),
    }),
    status: () => statusDocument(facts, pages),
    log,
  });
}

/** Why a listener asked for did not start (a port in use, say); empty when both did. */
export interface RemoteProblems {
  readonly http?: string;
  readonly osc?: string;
}

/** The running listeners; {@link configure} moves them to new endpoints. */
export class RemoteControl {
  private http: { key: string; listener: ControlHttp } | undefined;
  private osc: { key: string; listener: ControlOsc } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RemoteControlDeps) {}

  /** The HTTP listener, while one runs. */
  get httpListener(): ControlHttp | undefined {
    return this.http?.listener;
  }

  get oscPort(): number | undefined {
    return this.osc?.listener.port;
  }

  /**
   * Listens where `endpoints` say, restarting only the listeners whose endpoint changed. A listener
   * that cannot start is logged and left off; the other one still starts. Calls run one at a time.
   */
  configure(endpoints: RemoteEndpoints): Promise<RemoteProblems> {
    const applied = this.queue.then(() => this.apply(endpoints));
    this.queue = applied.then(() => undefined);
    return applied;
  }

  async close(): Promise<void> {
    await this.configure({ host: DEFAULT_CONTROL_HOST, httpPort: null, oscPort: null });
  }

  private async apply({ host, httpPort, oscPort }: RemoteEndpoints): Promise<RemoteProblems> {
    const problems: { http?: string; osc?: string } = {};
    const httpKey = httpPort === null ? null : `${host}:${httpPort}`;
    if (this.http?.key !== httpKey) {
      await this.http?.listener.close();
      this.http = undefined;
      if (httpKey !== null && httpPort !== null) {
        try {
          const listener = await startControlHttp({ host, port: httpPort, ...this.deps });
          this.http = { key: httpKey, listener };
          this.deps.log(
            `Remote control: ${listener.url}` +
              (listener.token === null ? '' : ` (send Authorization: Bearer ${listener.token})`),
          );
        } catch (error) {
          problems.http = (error as Error).message;
          this.deps.log(problems.http);
        }
      }
    }
    const oscKey = oscPort === null ? null : `${host}:${oscPort}`;
    if (this.osc?.key !== oscKey) {
      await this.osc?.listener.close();
      this.osc = undefined;
      if (oscKey !== null && oscPort !== null) {
        try {
          const listener = await startControlOsc({ host, port: oscPort, ...this.deps });
          this.osc = { key: oscKey, listener };
          this.deps.log(`Remote control (OSC): udp ${host}:${listener.port}, addresses under /stylemirror/`);
        } catch (error) {
          problems.osc = (error as Error).message;
          this.deps.log(problems.osc);
        }
      }
    }
    return problems;
  }
}

/**
 * `store`, telling `listener` after every update that changed the `remote` group (so the listeners
 * follow the settings however they were changed).
 */
export function watchRemoteSettings(
  store: SettingsStore,
  listener: (settings: Settings) => void,
): SettingsStore {
  return {
    get: () => store.get(),
    get warnings() {
      return store.warnings;
    },
    update: (patch) => {
      const before = store.get().remote;
      const after = store.update(patch);
      if (before.httpPort !== after.remote.httpPort || before.oscPort !== after.remote.oscPort) {
        listener(after);
      }
      return after;
    },
  };
}
