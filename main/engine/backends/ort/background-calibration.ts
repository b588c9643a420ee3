import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Ml5Model } from '../../model/ml5-model.js';
import { modelHash, type Int8Calibration } from './int8-session.js';

/** The built calibration worker beside this module (a worker thread cannot run TypeScript). */
export const CALIBRATION_WORKER_URL = new URL('./calibration-worker.js', import.meta.url);

/** What the worker is asked: one model to measure, and where its plan is cached. */
export interface CalibrationJob {
  readonly id: number;
  readonly model: Ml5Model;
  readonly cacheDir: string;
}

export type CalibrationReply =
  | { readonly id: number; readonly ok: true; readonly calibration: Int8Calibration }
  | { readonly id: number; readonly ok: false; readonly message: string };

/**
 * Int8 calibration off the engine's thread. onnxruntime-node blocks the thread it runs on, so the
 * 2-4 s of a first calibration on the engine's thread would freeze the live mirror; here it runs in
 * a worker thread of its own, one model at a time, each model once (a second ask for the same model
 * and cache folder gets the first ask's answer). The worker writes the same cache file as the inline
 * path. It starts on the first job; `dispose` stops it, failing what is still queued, and a later
 * job starts a new one.
 */
export class BackgroundCalibration {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(c: Int8Calibration): void; reject(e: Error): void }>();
  /** Each model's calibration, by cache folder and weights, queued, running or done. */
  private readonly jobs = new Map<string, Promise<Int8Calibration>>();
  /** The end of the queue: jobs run one after another. */
  private last: Promise<unknown> = Promise.resolve();
  /** Counts disposals: a job queued before one must not start a new worker after it. */
  private generation = 0;

  constructor(private readonly script: URL = CALIBRATION_WORKER_URL) {}

  /** The int8 plan of `model`, measured in the worker and cached in `cacheDir`. */
  calibrate(model: Ml5Model, cacheDir: string): Promise<Int8Calibration> {
    const key = `${path.resolve(cacheDir)}\n${modelHash(model)}`;
    let job = this.jobs.get(key);
    if (job === undefined) {
      const generation = this.generation;
      job = this.last.then(() => {
        if (generation !== this.generation) throw stopped();
        return this.run(model, cacheDir);
      });
      this.last = job.catch(() => undefined);
      // A failed job is asked again next time (the worker may have been stopped, not the model at fault).
      const queued = job;
      queued.catch(() => {
        if (this.jobs.get(key) === queued) this.jobs.delete(key);
      });
      this.jobs.set(key, queued);
    }
    return job;
  }

  /** Stops the worker; jobs not finished reject. Safe to call twice. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.generation++;
    this.fail(stopped());
    this.jobs.clear();
    this.last = Promise.resolve();
    await worker?.terminate();
  }

  private run(model: Ml5Model, cacheDir: string): Promise<Int8Calibration> {
    const id = this.nextId++;
    const done = new Promise<Int8Calibration>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const job: CalibrationJob = {
      id,
      model: { format: model.format, name: model.name, dir: model.dir, weights: model.weights },
      cacheDir,
    };
    this.started().postMessage(job);
    return done;
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(this.script);
    // A calibration is worth having, never worth keeping a finished process alive for.
    worker.unref();
    worker.on('message', (reply: CalibrationReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.calibration);
      else waiter?.reject(new Error(reply.message));
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure ??= error));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // stopped by dispose, which failed its jobs
      this.worker = undefined;
      this.fail(
        new Error(`the int8 calibration worker stopped (${failure?.message ?? `exit code ${code}`})`),
      );
    });
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

function stopped(): Error {
  return new Error('int8 calibration stopped: the engine was disposed');
}
