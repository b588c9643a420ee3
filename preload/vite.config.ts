import { defineConfig } from 'vite';

/**
 * Builds the preload into one CommonJS file, dist/preload/preload.cjs. A sandboxed preload cannot be
 * an ES module and can require nothing but `electron` (and a few Node shims), so everything else it
 * imports is bundled in and `electron` is left to the runtime.
 */
export default defineConfig({
  // import.meta.dirname keeps paths right whatever directory the build runs from.
  root: import.meta.dirname,
  publicDir: false,
  build: {
    // Relative to `root`: the repository's dist/preload.
    outDir: '../dist/preload',
    emptyOutDir: true,
    // Electron 45 is Chromium 140.
    target: 'es2022',
    // A few dozen lines: readable in DevTools beats a few saved bytes.
    minify: false,
    lib: {
      entry: 'preload.ts',
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: { external: ['electron'] },
  },
});
