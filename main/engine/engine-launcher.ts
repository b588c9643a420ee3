/**
 * What the engine supervisor needs from a process or thread to run the engine worker in: start one,
 * post to it, hear its messages and its end, kill it. Two implementations: a Node worker thread
 * (`worker/worker-thread-launcher.ts`, browser mode and the CLI) and an Electron utilityProcess
 * (`main/app/engine-process.ts`). Restarts, deadlines and reloads live above, in the supervisor.
 */

/** How a launched engine reports back. */
export interface EngineEvents {
  /** A message from the engine: a reply, as `worker/serve-engine.ts` writes it. */
  message(message: unknown): void;
  /** The engine ended by itself (a crash, an out-of-memory kill); `reason` is for people: "exit code 3". */
  exit(reason: string): void;
}

/** One running engine. */
export interface RunningEngine {
  /**
   * Posts a request. Pixel buffers in `transfer` move rather than copy where the channel can move
   * them; a channel that cannot copies instead. Throws if the message cannot be sent.
   */
  post(message: unknown, transfer: readonly ArrayBuffer[]): void;
  /** Ends it now, whatever it is doing (a busy loop included); resolves once it is gone. */
  kill(): Promise<void>;
}

export interface EngineLauncher {
  /** Starts an engine; `events` hear from it until it ends or is killed. */
  start(events: EngineEvents): RunningEngine;
}
