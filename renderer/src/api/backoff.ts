/** First reconnect delay; each failed attempt doubles it up to the cap. */
export const FIRST_RECONNECT_DELAY_MS = 250;
export const MAX_RECONNECT_DELAY_MS = 5000;

/**
 * How long to wait before reconnect attempt `attempt` (0 for the first): exponential, capped, so a
 * server that is restarting is found within seconds and one that is gone is not hammered.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_RECONNECT_DELAY_MS, FIRST_RECONNECT_DELAY_MS * 2 ** Math.max(0, attempt));
}
