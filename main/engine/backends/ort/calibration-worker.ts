/**
 * The background int8 calibration's worker thread (see `background-calibration.ts`): measures one
 * model at a time on one onnxruntime thread, so the engine's thread keeps its frames coming and the
 * rest of the CPU stays with the mirror.
 */
import { parentPort } from 'node:worker_threads';
import { calibrateToCache } from './int8-session.js';
import type { CalibrationJob, CalibrationReply } from './background-calibration.js';

const port = parentPort;
if (port === null) throw new Error('calibration-worker must be started as a worker_thread.');

port.on('message', (job: CalibrationJob) => {
  calibrateToCache(job.model, { cacheDir: job.cacheDir, threads: 1 }).then(
    (calibration) => port.postMessage({ id: job.id, ok: true, calibration } satisfies CalibrationReply),
    (error: unknown) =>
      port.postMessage({
        id: job.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies CalibrationReply),
  );
});
