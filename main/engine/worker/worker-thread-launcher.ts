import { Worker } from 'node:worker_threads';
import type { EngineLauncher } from '../engine-launcher.js';
import type { EngineOptions } from '../engine.js';
import { EngineSupervisor, type EngineSupervisorOptions } from '../engine-supervisor.js';

/** The built engine worker beside this module (a worker thread cannot run TypeScript). */
export const ENGINE_WORKER_URL = new URL('./engine-worker.js', import.meta.url);

/** What the engine worker reads from its `workerData`. */
export interface EngineWorkerData {
  /** Default `background`: a live mirror's. A one-shot run that wants int8 at once says `inline`. */
  readonly calibration?: EngineOptions['calibration'];
}

/** Starts engines in Node worker threads: browser mode, the CLI and tests. */
export function workerThreadLauncher(
  script: URL = ENGINE_WORKER_URL,
  workerData: EngineWorkerData = {},
): EngineLauncher {
  return {
    start(events) {
      const worker = new Worker(script, { workerData });
      let failure: Error | undefined;
      worker.on('message', (message: unknown) => events.message(message));
      // 'error' (an uncaught exception) comes before 'exit': keep it, it says more than the code.
      worker.on('error', (error) => (failure ??= error));
      worker.on('exit', (code) =>
        events.exit(failure === undefined ? `exit code ${code}` : `${failure.message}; exit code ${code}`),
      );
      return {
        post: (message, transfer) => worker.postMessage(message, transfer),
        // terminate() stops JavaScript mid-loop too, which a hung engine needs.
        kill: async () => {
          await worker.terminate();
        },
      };
    },
  };
}

/** An engine in a supervised worker thread, started: browser mode's default, and the CLI's. */
export function startWorkerEngine(
  options: EngineSupervisorOptions & EngineWorkerData & { readonly script?: URL } = {},
): EngineSupervisor {
  const workerData = options.calibration === undefined ? {} : { calibration: options.calibration };
  const supervisor = new EngineSupervisor(workerThreadLauncher(options.script, workerData), options);
  supervisor.start();
  return supervisor;
}
