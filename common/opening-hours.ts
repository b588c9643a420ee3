/** Opening hours as the settings hold them: local wall-clock times, `HH:MM`. */
export interface OpeningHours {
  readonly open: string;
  readonly close: string;
}

/** Whether the mirror is open at a moment, and when that next changes. */
export interface OpeningState {
  readonly open: boolean;
  /** The next moment the state flips; null when it never does (open equals close: open all day). */
  readonly nextChange: Date | null;
}

/**
 * Whether `now` (local time) falls inside the opening hours. Open from `open` (inclusive) to `close`
 * (exclusive); a close earlier than the open spans midnight (22:00 to 02:00 is open at 01:00), and
 * equal times mean open all day (a gallery that never closes should not go dark by a typo of zero
 * hours). Pure: the caller gives the time, so tests need no clock.
 *
 * @throws {Error} for a time that is not `HH:MM` within a day, naming the field.
 */
export function openingState(hours: OpeningHours, now: Date): OpeningState {
  const open = minutesOf(hours.open, 'open');
  const close = minutesOf(hours.close, 'close');
  if (open === close) return { open: true, nextChange: null };
  const minute = now.getHours() * 60 + now.getMinutes();
  const isOpen = open < close ? minute >= open && minute < close : minute >= open || minute < close;
  return { open: isOpen, nextChange: nextAt(now, isOpen ? close : open) };
}

/** The first moment after `now` whose local time is `minuteOfDay`:00. */
function nextAt(now: Date, minuteOfDay: number): Date {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 0, minuteOfDay);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at;
}

function minutesOf(time: string, field: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (match === null || hours > 23 || minutes > 59) {
    throw new Error(`Opening hours: ${field} time ${JSON.stringify(time)} is not HH:MM (00:00 to 23:59).`);
  }
  return hours * 60 + minutes;
}
