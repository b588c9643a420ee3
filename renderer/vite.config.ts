import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Builds the mirror's page into dist/renderer. `base: './'` keeps asset URLs relative, so the same
 * build loads from Electron's file:// URL and from browser mode's HTTP server alike.
 */
export default defineConfig({
  // import.meta.dirname (Node 20.11+; Vite rewrites it when it bundles this file) keeps paths right
  // whatever directory `vite build --config renderer/vite.config.ts` runs from.
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    // Relative to `root`: the repository's dist/renderer.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 is Chromium 140: no reason to down-level for older browsers.
    target: 'es2022',
  },
});
