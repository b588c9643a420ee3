import type { Timers } from '../../../common/timers.js';

export { realTimers, type Timers } from '../../../common/timers.js';

/** Resolves after `ms`. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}
