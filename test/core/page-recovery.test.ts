import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PageRecovery,
  pageProblemHtml,
  pageProblemUrl,
  type PageRecoveryOptions,
} from '../../main/core/page-recovery.js';

/** A recovery over recorded actions, on vitest's fake clock (timers and Date.now alike). */
function watched(options: Partial<PageRecoveryOptions> = {}) {
  const actions: string[] = [];
  const recovery = new PageRecovery({
    reload: () => actions.push(`reload at ${Date.now() / 1000} s`),
    endHungPage: () => actions.push(`end at ${Date.now() / 1000} s`),
    showErrorPage: (problem) => actions.push(`error page: ${JSON.stringify(problem)}`),
    ...options,
  });
  return { recovery, actions };
}

describe('PageRecovery', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reloads a crashed page after 1 s, then 2, 4, 8, 16 s, then shows the error page', () => {
    const { recovery, actions } = watched();
    for (let crash = 0; crash < 6; crash++) {
      recovery.gone('crashed');
      vi.advanceTimersByTime(60_000);
    }
    expect(actions).toEqual([
      'reload at 1 s',
      'reload at 62 s', // crashed at 60 s, 2 s wait
      'reload at 124 s',
      'reload at 188 s',
      'reload at 256 s',
      `error page: ${JSON.stringify({ kind: 'crashed', reason: 'crashed', reloads: 5, windowMs: 600_000 })}`,
    ]);
    // Given up: nothing more happens, whatever comes.
    recovery.gone('crashed');
    recovery.unresponsive();
    vi.advanceTimersByTime(3_600_000);
    expect(actions).toHaveLength(6);
  });

  it('counts only the reloads of the last 10 minutes: a page that crashes now and then always comes back', () => {
    const { recovery, actions } = watched();
    for (let crash = 0; crash < 12; crash++) {
      recovery.gone('oom');
      vi.advanceTimersByTime(3 * 60_000);
    }
    expect(actions.filter((a) => a.startsWith('reload'))).toHaveLength(12);
    expect(actions.some((a) => a.startsWith('error page'))).toBe(false);
  });

  it('ignores a clean exit, and a second loss while a reload is already waiting', () => {
    const { recovery, actions } = watched();
    recovery.gone('clean-exit');
    vi.advanceTimersByTime(10_000);
    expect(actions).toEqual([]);
    recovery.gone('crashed');
    recovery.gone('crashed');
    vi.advanceTimersByTime(10_000);
    expect(actions).toEqual(['reload at 11 s']);
  });

  it('ends a page that stays unresponsive past the grace period, and reloads it as hung', () => {
    const { recovery, actions } = watched({ maxReloads: 1 });
    recovery.unresponsive();
    vi.advanceTimersByTime(4_999);
    expect(actions).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(actions).toEqual(['end at 5 s']);
    recovery.gone('killed'); // What Electron reports after forcefullyCrashRenderer.
    vi.advanceTimersByTime(1_000);
    expect(actions).toEqual(['end at 5 s', 'reload at 6 s']);

    recovery.unresponsive();
    vi.advanceTimersByTime(5_000);
    recovery.gone('killed');
    expect(actions.at(-1)).toBe(
      `error page: ${JSON.stringify({ kind: 'hung', reason: 'unresponsive', reloads: 1, windowMs: 600_000 })}`,
    );
  });

  it('leaves a page alone that answers again within the grace period', () => {
    const { recovery, actions } = watched();
    recovery.unresponsive();
    vi.advanceTimersByTime(3_000);
    recovery.responsive();
    vi.advanceTimersByTime(60_000);
    expect(actions).toEqual([]);
  });

  it('does nothing more once its window has closed', () => {
    const { recovery, actions } = watched();
    recovery.gone('crashed');
    recovery.unresponsive();
    recovery.dispose();
    vi.advanceTimersByTime(60_000);
    recovery.gone('crashed');
    vi.advanceTimersByTime(60_000);
    expect(actions).toEqual([]);
  });
});

describe('the error page', () => {
  it('says what happened and how to restart, runs no script, and escapes what it is given', () => {
    const html = pageProblemHtml({
      kind: 'crashed',
      reason: '<img src=x onerror=alert(1)>',
      reloads: 5,
      windowMs: 600_000,
    });
    expect(html).toContain('stopped (&#60;img src=x onerror=alert(1)&#62;) 6 times in 10 minutes');
    expect(html).toContain('open Style Mirror again');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(
      pageProblemHtml({ kind: 'hung', reason: 'unresponsive', reloads: 5, windowMs: 600_000 }),
    ).toContain('stopped responding 6 times');
  });

  it('travels as a data: URL that decodes to the same page', () => {
    const problem = { kind: 'crashed' as const, reason: 'oom', reloads: 5, windowMs: 600_000 };
    const url = pageProblemUrl(problem);
    expect(url.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe(pageProblemHtml(problem));
  });
});
