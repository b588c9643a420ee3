/**
 * Every test file runs with its own STYLEMIRROR_HOME, so that nothing a test does (a library import,
 * the backend choice cache, settings) reaches the real user's folders, and no two files share state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const home = mkdtempSync(path.join(os.tmpdir(), 'stylemirror-home-'));
process.env.STYLEMIRROR_HOME = home;
afterAll(() => rmSync(home, { recursive: true, force: true }));
