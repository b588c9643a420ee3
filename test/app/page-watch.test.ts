import { MockBrowserWindow, resetElectronMock } from './electron-mock.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { watchPage } from '../../main/app/page-watch.js';

describe('watchPage (Electron mocked, fake clock)', () => {
  let window: MockBrowserWindow;
  let log: ReturnType<typeof vi.fn<(line: string) => void>>;

  beforeEach(() => {
    resetElectronMock();
    vi.useFakeTimers({ now: 0 });
    window = new MockBrowserWindow({});
    log = vi.fn();
    watchPage(window as unknown as BrowserWindow, log);
  });
  afterEach(() => vi.useRealTimers());

  const gone = (reason: string) =>
    window.webContents.emit('render-process-gone', {}, { reason, exitCode: 1 });

  it('reloads a crashed page with backoff, then loads the plain error page in its place', () => {
    for (let crash = 0; crash < 5; crash++) {
      gone('crashed');
      vi.advanceTimersByTime(2 ** crash * 1000);
      expect(window.webContents.reload).toHaveBeenCalledTimes(crash + 1);
    }
    gone('crashed');
    vi.advanceTimersByTime(60_000);
    expect(window.webContents.reload).toHaveBeenCalledTimes(5);
    expect(window.webContents.loadURL).toHaveBeenCalledTimes(1);
    const url = window.webContents.loadURL.mock.calls[0]![0];
    expect(url).toMatch(/^data:text\/html;charset=utf-8,/);
    expect(decodeURIComponent(url)).toContain('Style Mirror stopped');
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('showing the error page'));
  });

  it('ends a hung page after the grace period; its loss then reloads it', () => {
    window.webContents.emit('unresponsive');
    vi.advanceTimersByTime(5_000);
    expect(window.webContents.forcefullyCrashRenderer).toHaveBeenCalledTimes(1);
    gone('killed');
    vi.advanceTimersByTime(1_000);
    expect(window.webContents.reload).toHaveBeenCalledTimes(1);
  });

  it('keeps a page that answers again, and touches nothing once the window is closed', () => {
    window.webContents.emit('unresponsive');
    window.webContents.emit('responsive');
    vi.advanceTimersByTime(60_000);
    expect(window.webContents.forcefullyCrashRenderer).not.toHaveBeenCalled();

    gone('crashed');
    window.close();
    vi.advanceTimersByTime(60_000);
    expect(window.webContents.reload).not.toHaveBeenCalled();
  });
});
