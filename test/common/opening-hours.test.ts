import { describe, expect, it } from 'vitest';
import { openingState } from '../../common/opening-hours.js';

/** A local time on 14 January 2026 (no DST change near it in any zone the tests run in). */
const at = (hours: number, minutes: number, day = 14): Date => new Date(2026, 0, day, hours, minutes);

describe('openingState', () => {
  const day = { open: '09:00', close: '18:00' };

  it('is open from the open time (inclusive) to the close time (exclusive), and says when that changes', () => {
    expect(openingState(day, at(8, 59))).toEqual({ open: false, nextChange: at(9, 0) });
    expect(openingState(day, at(9, 0))).toEqual({ open: true, nextChange: at(18, 0) });
    expect(openingState(day, at(17, 59))).toEqual({ open: true, nextChange: at(18, 0) });
    expect(openingState(day, at(18, 0))).toEqual({ open: false, nextChange: at(9, 0, 15) });
    expect(openingState(day, at(23, 59))).toEqual({ open: false, nextChange: at(9, 0, 15) });
    expect(openingState(day, at(0, 0))).toEqual({ open: false, nextChange: at(9, 0) });
  });

  it('spans midnight when the close is earlier than the open', () => {
    const night = { open: '22:00', close: '02:30' };
    expect(openingState(night, at(21, 59))).toEqual({ open: false, nextChange: at(22, 0) });
    expect(openingState(night, at(22, 0))).toEqual({ open: true, nextChange: at(2, 30, 15) });
    expect(openingState(night, at(23, 59))).toEqual({ open: true, nextChange: at(2, 30, 15) });
    expect(openingState(night, at(0, 0))).toEqual({ open: true, nextChange: at(2, 30) });
    expect(openingState(night, at(2, 29))).toEqual({ open: true, nextChange: at(2, 30) });
    expect(openingState(night, at(2, 30))).toEqual({ open: false, nextChange: at(22, 0) });
  });

  it('counts seconds within the minute: 17:59:59.999 is still open, the change is at 18:00:00', () => {
    const late = new Date(2026, 0, 14, 17, 59, 59, 999);
    expect(openingState(day, late)).toEqual({ open: true, nextChange: at(18, 0) });
    const justAfterOpen = new Date(2026, 0, 14, 9, 0, 30);
    expect(openingState(day, justAfterOpen).open).toBe(true);
  });

  it('crosses the end of a month and a year to the next day', () => {
    expect(openingState(day, new Date(2026, 11, 31, 20, 0)).nextChange).toEqual(new Date(2027, 0, 1, 9, 0));
  });

  it('is open all day, never changing, when open and close are the same time', () => {
    expect(openingState({ open: '00:00', close: '00:00' }, at(3, 0))).toEqual({
      open: true,
      nextChange: null,
    });
    expect(openingState({ open: '12:00', close: '12:00' }, at(12, 0))).toEqual({
      open: true,
      nextChange: null,
    });
  });

  it('names the field and the value of a time that is not HH:MM', () => {
    expect(() => openingState({ open: '9:00', close: '18:00' }, at(9, 0))).toThrow(
      'Opening hours: open time "9:00" is not HH:MM (00:00 to 23:59).',
    );
    expect(() => openingState({ open: '09:00', close: '24:00' }, at(9, 0))).toThrow(/close time "24:00"/);
    expect(() => openingState({ open: '09:00', close: '18:60' }, at(9, 0))).toThrow(/close time "18:60"/);
  });
});
