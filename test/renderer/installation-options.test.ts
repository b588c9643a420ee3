import { describe, expect, it } from 'vitest';
import { clockTimeOf, formatSeconds, withValue } from '../../renderer/src/ui/installation-options.js';

describe('installation options', () => {
  it('says durations the way people do', () => {
    expect(formatSeconds(0.5)).toBe('0.5 s');
    expect(formatSeconds(10)).toBe('10 s');
    expect(formatSeconds(60)).toBe('1 min');
    expect(formatSeconds(90)).toBe('1 min 30 s');
    expect(formatSeconds(3600)).toBe('1 h');
    expect(formatSeconds(3661)).toBe('1 h 1 min 1 s');
  });

  it('keeps a value set elsewhere among the choices, in order', () => {
    expect(withValue([10, 30, 60], 30)).toEqual([10, 30, 60]);
    expect(withValue([10, 30, 60], 45)).toEqual([10, 30, 45, 60]);
  });

  it('takes only HH:MM from a time input', () => {
    expect(clockTimeOf('09:30')).toBe('09:30');
    expect(clockTimeOf('')).toBeNull();
    expect(clockTimeOf('09:30:15')).toBeNull();
    expect(clockTimeOf('24:00')).toBeNull();
  });
});
