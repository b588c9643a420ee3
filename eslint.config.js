// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Pixel and tensor loops index typed arrays within bounds they just checked; with
      // noUncheckedIndexedAccess, `!` is the honest way to say so.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The engine runs in a utilityProcess, a Node worker, the CLI and tests: it never imports Electron,
    // and nothing above it (the CLI, main/app, browser mode) is imported by it.
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine is Electron-free.' }],
          patterns: [
            {
              group: ['**/cli/**', '**/core/**', '**/app/**', '**/server/**'],
              message: 'The engine is the bottom layer.',
            },
          ],
        },
      ],
    },
  },
  {
    // Core services are shared by Electron's main process and browser mode: Electron-free too.
    files: ['main/core/**/*.ts', 'main/cli/**/*.ts', 'main/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only main/app and preload/ may import Electron.' }],
          patterns: [
            { group: ['**/app/**'], message: 'main/app is the Electron adapter: nothing imports it.' },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs in a sandboxed page: browser globals, no Node, no Electron.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to MirrorApi only.' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser page.' },
            {
              // Only import-free type and contract modules: engine code would drag Node (and sharp,
              // onnxruntime) into the page's types or bundle.
              group: [
                // Gitignore-style: a negation cannot re-include below an excluded folder, so each
                // level is listed.
                '**/main/engine/*.js',
                '!**/main/engine/engine-types.js',
                '**/main/engine/backends/**',
                '**/main/engine/model/**',
                '**/main/engine/frame/*',
                '!**/main/engine/frame/frame.js',
                '**/main/engine/worker/*',
                '!**/main/engine/worker/protocol.js',
                '**/main/app/**',
                '**/main/server/**',
                '**/main/cli/**',
              ],
              message: 'The renderer may import main/core and the engine type modules only.',
            },
          ],
        },
      ],
    },
  },
);
