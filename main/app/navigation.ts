import { app, type WebContents } from 'electron';
import { isRendererUrl } from './app-origin.js';

/**
 * Keeps every page of this app on app://renderer: no navigating or redirecting elsewhere, no new
 * windows, no <webview>. The mirror has no links to follow, so anything trying to leave is a bug or
 * an attack, and is logged.
 */
export function guardWebContents(
  contents: WebContents,
  log: (line: string) => void = (line) => console.warn(`Style Mirror: ${line}`),
): void {
  contents.on('will-navigate', (event) => {
    if (isRendererUrl(event.url)) return;
    event.preventDefault();
    log(`refused navigation to ${event.url}`);
  });
  // Subframes too: the page has none of its own, so one navigating is never legitimate.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame || isRendererUrl(event.url)) return;
    event.preventDefault();
    log(`refused frame navigation to ${event.url}`);
  });
  contents.on('will-redirect', (event) => {
    if (isRendererUrl(event.url)) return;
    event.preventDefault();
    log(`refused redirect to ${event.url}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('refused to attach a <webview>');
  });
}

/**
 * Guards every webContents the app ever creates, as Electron's security checklist advises, so a
 * window added later cannot forget to. Call before the first window opens.
 */
export function setupNavigationGuards(log?: (line: string) => void): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
}
