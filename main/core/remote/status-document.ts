import type { MirrorEngineStatus } from '../../../common/contract.js';
import type { EngineHealth } from '../../../common/engine-errors.js';
import type { PageHub } from './page-hub.js';

/** One process's resident memory. */
export interface ProcessMemory {
  /** `main` (the app) or `server` (browser mode), `engine`, `page`, `gpu`, `utility`… */
  readonly process: string;
  readonly pid: number;
  readonly residentBytes: number;
}

/** A problem worth the status document's `lastError`, and when it happened. */
export interface NotedError {
  readonly message: string;
  /** ISO 8601. */
  readonly at: string;
}

/** What the remote control's `GET /api/v1/status` answers. */
export interface StatusDocument {
  readonly uptimeSeconds: number;
  /** Pages showing the mirror now, and how many of them have reported. */
  readonly pages: { readonly connected: number; readonly reporting: number };
  /** From the freshest page report; null when no page has reported. */
  readonly displayedFps: number | null;
  /** How long ago the newest frame was drawn, now; null before any was. */
  readonly newestFrameAgeMs: number | null;
  /** The style on screen (the page's word), or null. */
  readonly style: string | null;
  readonly resting: boolean | null;
  /** What is wrong with the camera, or null when it works (or no page reported). */
  readonly cameraError: string | null;
  /** What the engine runs, or null before a model is loaded. */
  readonly engine: {
    readonly state: EngineHealth['state'] | 'unknown';
    readonly backend: string | null;
    readonly runtime: string | null;
    readonly device: string | null;
    readonly model: string | null;
  };
  readonly engineRestarts: number;
  readonly memory: readonly ProcessMemory[];
  /** Processes whose memory is not in `memory`, and why. */
  readonly memoryNotes: readonly string[];
  readonly lastError: NotedError | null;
}

/** Main's own facts, as each adapter knows them. */
export interface StatusFacts {
  /** When the app or server started (ms since the epoch). */
  readonly startedAt: number;
  /** What the engine runs now (its `status` call), or null. */
  engineStatus(): Promise<Omit<MirrorEngineStatus, 'modelId'> | null>;
  /** The supervisor's health, when the engine is supervised. */
  engineHealth?(): EngineHealth;
  processMemory(): Promise<readonly ProcessMemory[]>;
  readonly memoryNotes?: readonly string[];
  /** The last problem the adapter logged, if any. */
  lastError(): NotedError | null;
}

/**
 * How long the status document waits for the engine to say what it runs: a hung engine must not
 * hang the health check that would show it (its state still comes from the supervisor).
 */
export const ENGINE_STATUS_WAIT_MS = 1000;

/** `promise`'s value, or null once `ms` have passed without one. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Merges main's facts with the pages' latest reports into the status document. */
export async function statusDocument(
  facts: StatusFacts,
  pages: PageHub,
  now: number = Date.now(),
): Promise<StatusDocument> {
  const reports = pages.reports();
  const freshest = reports.reduce<(typeof reports)[number] | undefined>(
    (best, r) => (best === undefined || r.receivedAt > best.receivedAt ? r : best),
    undefined,
  );
  const report = freshest?.report;
  const [engine, memory] = await Promise.all([
    withinMs(facts.engineStatus(), ENGINE_STATUS_WAIT_MS).catch(() => null),
    facts.processMemory().catch(() => []),
  ]);
  const health = facts.engineHealth?.();
  return {
    uptimeSeconds: Math.max(0, Math.round((now - facts.startedAt) / 1000)),
    pages: { connected: pages.size, reporting: reports.length },
    displayedFps: report?.displayedFps ?? null,
    newestFrameAgeMs:
      report?.newestFrameAgeMs == null
        ? null
        : Math.round(report.newestFrameAgeMs + Math.max(0, now - freshest!.receivedAt)),
    style: report?.currentModelId ?? null,
    resting: report?.resting ?? null,
    cameraError: report?.cameraError ?? null,
    engine: {
      state: health?.state ?? 'unknown',
      backend: engine?.backend.kind ?? null,
      runtime: engine?.backend.runtime ?? null,
      device: engine?.backend.device ?? null,
      model: engine?.model ?? null,
    },
    engineRestarts: health?.restarts ?? 0,
    memory,
    memoryNotes: facts.memoryNotes ?? [],
    // The supervisor logs every crash and hang through the adapter's log, so this covers them too.
    lastError: facts.lastError(),
  };
}

/** Remembers the last problem logged, for the status document. */
export class LastError {
  private noted: NotedError | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  note(message: string): void {
    this.noted = { message, at: new Date(this.now()).toISOString() };
  }

  get(): NotedError | null {
    return this.noted;
  }
}
