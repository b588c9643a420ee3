#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build`.
import('../dist/main/cli/stylemirror.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main/cli')) {
    console.error('stylemirror: not built yet. Run `npm run build` first.');
    process.exit(1);
  }
  throw error;
});
