import { Worker } from 'node:worker_threads';
import type { EngineLauncher } from '../engine-launcher.js';
import { EngineSupervisor, type EngineSupervisorOptions } from '../engine-supervisor.js';

/** The built engine worker beside this module (a worker thread cannot run TypeScript). */
export const ENGINE_WORKER_URL = new URL('./engine-worker.js', import.meta.url);

/** Starts engines in Node worker threads: browser mode, the CLI and tests. */
export function workerThreadLauncher(script: URL = ENGINE_WORKER_URL): EngineLauncher {
  return {
    start(events) {
      const worker = new Worker(script);
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
  options: EngineSupervisorOptions & { readonly script?: URL } = {},
): EngineSupervisor {
  const supervisor = new EngineSupervisor(workerThreadLauncher(options.script), options);
  supervisor.start();
  return supervisor;
}
