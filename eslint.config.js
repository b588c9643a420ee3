// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The import rule for main/'s Electron-free parts: no Electron, nothing from the Electron adapter,
 * the page or the preload, and `extra` where a part is held to more.
 * @param {...{ group: string[]; message: string }} extra
 */
function electronFreeMain(...extra) {
  return {
    paths: [{ name: 'electron', message: 'Only main/app and preload/ may import Electron.' }],
    patterns: [
      { group: ['**/app/**'], message: 'main/app is the Electron adapter: nothing imports it.' },
      {
        group: ['**/renderer/**', '**/preload/**'],
        message: 'main/ shares code with the page only through common/.',
      },
      ...extra,
    ],
  };
}

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
    // common/ is what every process shares (the contract, the wire codec, frame and engine-message
    // types, the settings schema): it imports itself and plain libraries, nothing else.
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'common/ runs in every process, the page included.' }],
          patterns: [
            { group: ['node:*'], message: 'common/ runs in the page too: no Node.' },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'common/ imports only itself.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine runs in a utilityProcess, a Node worker, the CLI and tests: it imports common/ and
    // itself, never Electron, nothing above it.
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine is Electron-free.' }],
          patterns: [
            {
              group: [
                '**/cli/**',
                '**/core/**',
                '**/app/**',
                '**/server/**',
                '**/renderer/**',
                '**/preload/**',
              ],
              message: 'The engine imports only common/ and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI and browser mode's server are Electron-free: they share main/ with Electron's main process.
    files: ['main/cli/**/*.ts', 'main/server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', electronFreeMain()] },
  },
  {
    // Core services are below both adapters: browser mode's server and the CLI import core, never
    // the reverse.
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        electronFreeMain({
          group: ['**/server/**', '**/cli/**'],
          message: 'main/core is beneath the adapters: it imports neither.',
        }),
      ],
    },
  },
  {
    // The preload and the page take only types from common/'s zod modules: zod would add 130 KB to
    // each bundle, and its `new Function` probe is a violation the page's CSP reports.
    // common/'s other modules are the page's too, so the same holds for them.
    files: ['preload/**/*.ts', 'renderer/**/*.{ts,tsx}', 'common/**/*.ts'],
    ignores: ['common/contract.ts', 'common/settings-schema.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/common/contract*',
                '**/common/settings-schema*',
                // As common/'s own modules name them.
                './contract*',
                './settings-schema*',
                '../contract*',
                '../settings-schema*',
                'zod',
                'zod/*',
              ],
              allowTypeImports: true,
              message: 'Only types from here: the page and the preload bundle no zod.',
            },
          ],
        },
      ],
    },
  },
  {
    // The preload imports common/ and itself (and Electron's renderer APIs).
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'The preload imports only common/ and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs in a sandboxed page: browser globals, no Node, no Electron; it imports common/
    // and itself.
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
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer imports only common/ and itself.',
            },
          ],
        },
      ],
    },
  },
);
