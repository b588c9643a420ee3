/**
 * When the GPU process keeps crashing (a bad driver, a GPU that falls off the bus), Chromium shows a
 * black or frozen window however often it starts it again. The way out is one relaunch without
 * hardware acceleration; Electron only takes that before `ready`, hence a command-line flag that the
 * relaunched app reads at its start. Electron-free: main.ts feeds it `child-process-gone` events.
 */

/** Marks the relaunched app: main.ts calls `app.disableHardwareAcceleration()` before `ready` when it is there. */
export const DISABLE_GPU_FLAG = '--disable-gpu-acceleration';

/** GPU crashes within {@link GPU_CRASH_WINDOW_MS} that make the app relaunch without the GPU. */
export const GPU_CRASH_LIMIT = 3;
export const GPU_CRASH_WINDOW_MS = 5 * 60_000;

/** What Electron's `child-process-gone` says, as far as the policy reads it. */
export interface ProcessGone {
  readonly type: string;
  readonly reason: string;
}

export interface GpuCrashPolicyOptions {
  /** Whether this run already has hardware acceleration off (it was relaunched with the flag). */
  readonly accelerationOff: boolean;
  readonly limit?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

export type GpuCrashDecision =
  | { readonly action: 'none' }
  /** Relaunch with {@link relaunchArgs}, then quit; `crashes` within the window. */
  | { readonly action: 'relaunch-without-gpu'; readonly crashes: number };

/**
 * Counts GPU process crashes in a sliding window; at the limit, says to relaunch without hardware
 * acceleration, once. Never a loop: a run that already has acceleration off, or that has been told to
 * relaunch, is never told again (the crashes of a CPU-rendered GPU process are not the GPU's fault).
 */
export class GpuCrashPolicy {
  private readonly crashes: number[] = [];
  private relaunching = false;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: GpuCrashPolicyOptions) {
    this.limit = options.limit ?? GPU_CRASH_LIMIT;
    this.windowMs = options.windowMs ?? GPU_CRASH_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** Takes one `child-process-gone` event; only GPU processes that did not exit cleanly count. */
  processGone(details: ProcessGone): GpuCrashDecision {
    if (details.type !== 'GPU' || details.reason === 'clean-exit') return { action: 'none' };
    const now = this.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0]! <= now - this.windowMs) this.crashes.shift();
    if (this.options.accelerationOff || this.relaunching || this.crashes.length < this.limit) {
      return { action: 'none' };
    }
    this.relaunching = true;
    return { action: 'relaunch-without-gpu', crashes: this.crashes.length };
  }
}

/** Whether `args` (a process's arguments) carry {@link DISABLE_GPU_FLAG}. */
export function accelerationOffIn(args: readonly string[]): boolean {
  return args.includes(DISABLE_GPU_FLAG);
}

/**
 * Electron's `app.relaunch` options: this run's arguments (after the executable: `.` in development,
 * the person's `--models`) with {@link DISABLE_GPU_FLAG} added once. An AppImage runs from a mount
 * that is gone once it quits, so it is relaunched through the AppImage file itself.
 */
export function relaunchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { args: string[]; execPath?: string } {
  const args = argv.slice(1);
  const withFlag = accelerationOffIn(args) ? args : [...args, DISABLE_GPU_FLAG];
  const appImage = env.APPIMAGE;
  return appImage === undefined || appImage === ''
    ? { args: withFlag }
    : { args: withFlag, execPath: appImage };
}
