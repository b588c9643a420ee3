import type { PageReport } from '../../../common/contract.js';
import type { MirrorEvent } from '../../../common/mirror-events.js';

/** Most pages the hub keeps: browser mode serves a few at most, the app one window. */
const MAX_PAGES = 64;

/** A page's latest report, and when it arrived (the hub's clock). */
export interface ReceivedReport {
  readonly page: string;
  readonly report: PageReport;
  readonly receivedAt: number;
}

/**
 * The pages showing the mirror now (the app's window, browser mode's connected pages): how to push
 * an event to each, and the latest report each sent. Transport-free: the Electron adapter and the
 * browser-mode server attach their pages with a send function.
 */
export class PageHub {
  private readonly pages = new Map<string, { push(event: MirrorEvent): boolean; report?: ReceivedReport }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How many pages are attached. */
  get size(): number {
    return this.pages.size;
  }

  /** Attaches page `id` (replacing one of the same id); returns the detach function. */
  attach(id: string, push: (event: MirrorEvent) => boolean): () => void {
    if (!this.pages.has(id) && this.pages.size >= MAX_PAGES) {
      throw new Error(`At most ${MAX_PAGES} pages can be attached to the remote control.`);
    }
    const entry = { push };
    this.pages.set(id, entry);
    return () => {
      if (this.pages.get(id) === entry) this.pages.delete(id);
    };
  }

  /** Keeps `report` as page `id`'s latest; a page that is not attached is ignored. */
  report(id: string, report: PageReport): void {
    const entry = this.pages.get(id);
    if (entry !== undefined) entry.report = { page: id, report, receivedAt: this.now() };
  }

  /** Sends `event` to every page; resolves to how many it reached. */
  broadcast(event: MirrorEvent): number {
    let reached = 0;
    for (const entry of this.pages.values()) if (entry.push(event)) reached++;
    return reached;
  }

  /** Every attached page's latest report (pages that sent none yet are left out). */
  reports(): ReceivedReport[] {
    return [...this.pages.values()].flatMap((entry) => (entry.report === undefined ? [] : [entry.report]));
  }
}
