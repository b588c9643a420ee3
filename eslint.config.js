// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Pixel and tensor loops index typed arrays within bounds they just checked; with
      // noUncheckedIndexedAccess, `!` is the honest way to say so.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The engine runs in a utilityProcess, a Node worker, the CLI and tests: it never imports Electron,
    // and nothing above it (the CLI, later main/ and browser mode) is imported by it.
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine is Electron-free.' }],
          patterns: [
            {
              group: ['**/cli/**'],
              message: 'The engine must not depend on the CLI; the CLI depends on it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The CLI is Electron-free.' }] },
      ],
    },
  },
);
