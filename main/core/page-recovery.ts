/**
 * What to do when the mirror's page dies or hangs: reload it, waiting longer each time (1 s, 2 s,
 * 4 s…), at most a few times in a while; past that, stop and show a plain page saying what happened
 * and how to restart. A gallery wall must come back by itself, but a page that crashes at once must
 * not reload forever. Electron-free: the adapter (main/app/page-watch.ts) feeds it Electron's events.
 */

/** Why the page is being given up on, for the error page. */
export interface PageProblem {
  /** `crashed`: its process ended (Electron's reason, e.g. `crashed`, `oom`, `killed`); `hung`: it stopped responding. */
  readonly kind: 'crashed' | 'hung';
  /** Electron's reason for the last loss (`crashed`, `oom`, `killed`…), or `unresponsive`. */
  readonly reason: string;
  /** Reloads tried within the window before giving up. */
  readonly reloads: number;
  readonly windowMs: number;
}

export interface PageRecoveryOptions {
  /** Loads the page again. */
  readonly reload: () => void;
  /** Ends a hung page's process; Electron then reports the page gone, which reloads it. */
  readonly endHungPage: () => void;
  /** Shows the plain error page in place of the mirror. */
  readonly showErrorPage: (problem: PageProblem) => void;
  /** One line per thing that happened; default none. */
  readonly log?: (line: string) => void;
  /** The first reload's delay; each further one within the window doubles it. Default 1 s. */
  readonly firstDelayMs?: number;
  /** Reloads allowed within `windowMs` before giving up. Default 5. */
  readonly maxReloads?: number;
  /** Default 10 minutes. */
  readonly windowMs?: number;
  /** How long a page reported unresponsive may take to answer again before it is ended. Default 5 s. */
  readonly hangGraceMs?: number;
  /** Milliseconds, for the window; default Date.now (fake timers set both). */
  readonly now?: () => number;
}

export const FIRST_RELOAD_DELAY_MS = 1_000;
export const MAX_RELOADS = 5;
export const RELOAD_WINDOW_MS = 10 * 60_000;
export const HANG_GRACE_MS = 5_000;

/** One window's page: feed it `gone`, `unresponsive` and `responsive`; `dispose` when the window closes. */
export class PageRecovery {
  /** When each reload within the window was started. */
  private reloads: number[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private hangTimer: ReturnType<typeof setTimeout> | undefined;
  private state: 'watching' | 'recovering' | 'gave-up' | 'disposed' = 'watching';
  /** Whether the page is being ended for hanging: its loss is then a hang, whatever Electron calls it. */
  private endingHungPage = false;
  private readonly firstDelayMs: number;
  private readonly maxReloads: number;
  private readonly windowMs: number;
  private readonly hangGraceMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PageRecoveryOptions) {
    this.firstDelayMs = options.firstDelayMs ?? FIRST_RELOAD_DELAY_MS;
    this.maxReloads = options.maxReloads ?? MAX_RELOADS;
    this.windowMs = options.windowMs ?? RELOAD_WINDOW_MS;
    this.hangGraceMs = options.hangGraceMs ?? HANG_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The page's process ended (Electron's `render-process-gone`), for `reason`. */
  gone(reason: string): void {
    // A clean exit is the page closing with its window, not a failure.
    if (this.state !== 'watching' || reason === 'clean-exit') return;
    clearTimeout(this.hangTimer);
    const kind = this.endingHungPage ? 'hung' : 'crashed';
    this.endingHungPage = false;
    const now = this.now();
    this.reloads = this.reloads.filter((at) => now - at < this.windowMs);
    if (this.reloads.length >= this.maxReloads) {
      this.state = 'gave-up';
      this.log(
        `the page ${kind === 'hung' ? 'hung' : `stopped (${reason})`} again after ${this.reloads.length} reloads ` +
          `in ${Math.round(this.windowMs / 60_000)} minutes; showing the error page instead.`,
      );
      this.options.showErrorPage({
        kind,
        reason: kind === 'hung' ? 'unresponsive' : reason,
        reloads: this.reloads.length,
        windowMs: this.windowMs,
      });
      return;
    }
    const delay = this.firstDelayMs * 2 ** this.reloads.length;
    this.reloads.push(now);
    this.state = 'recovering';
    this.log(
      `the page ${kind === 'hung' ? 'hung' : `stopped (${reason})`}; reloading it in ${delay / 1000} s.`,
    );
    this.reloadTimer = setTimeout(() => {
      this.state = 'watching';
      this.options.reload();
    }, delay);
  }

  /** The page stopped responding: it gets a grace period, then its process is ended (and so reloaded). */
  unresponsive(): void {
    if (this.state !== 'watching' || this.hangTimer !== undefined) return;
    this.hangTimer = setTimeout(() => {
      this.hangTimer = undefined;
      if (this.state !== 'watching') return;
      this.log(`the page has not responded for ${this.hangGraceMs / 1000} s more; ending it.`);
      this.endingHungPage = true;
      this.options.endHungPage();
    }, this.hangGraceMs);
  }

  /** The page answers again: no need to end it. */
  responsive(): void {
    clearTimeout(this.hangTimer);
    this.hangTimer = undefined;
  }

  /** The window closed: nothing is reloaded or shown any more. */
  dispose(): void {
    this.state = 'disposed';
    clearTimeout(this.reloadTimer);
    clearTimeout(this.hangTimer);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/**
 * The plain page shown once the mirror's page is given up on: what happened and how to restart, with
 * no script at all (its own policy forbids any) and nothing loaded from anywhere.
 */
export function pageProblemHtml(problem: PageProblem): string {
  const minutes = Math.round(problem.windowMs / 60_000);
  const what = problem.kind === 'hung' ? 'stopped responding' : `stopped (${escapeHtml(problem.reason)})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="dark">
<title>Style Mirror stopped</title>
<style>
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #000; color: #eee;
  font: 16px/1.5 system-ui, sans-serif; }
main { max-width: 34em; padding: 2em; }
h1 { font-size: 1.5em; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>Style Mirror stopped</h1>
<p>The mirror's page ${what} ${problem.reloads + 1} times in ${minutes} minutes, so Style Mirror stopped
reloading it.</p>
<p>To start again, close this window (or quit Style Mirror) and open Style Mirror again. If this keeps
happening, start it from a terminal to see its messages.</p>
</main>
</body>
</html>
`;
}

/** The error page as a URL the window can load without anything on disk. */
export function pageProblemUrl(problem: PageProblem): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(pageProblemHtml(problem))}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
