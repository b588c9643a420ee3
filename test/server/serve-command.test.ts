/**
 * `stylemirror serve` as a person runs it: the built CLI in its own process, its printed address
 * opened, then Ctrl-C. Needs `npm run build` first (`npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWire, rawGet } from './wire-test-client.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
const BUILT = ['dist/main/cli/stylemirror.js', 'dist/renderer/index.html'];

interface Running {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

describe('stylemirror serve (built)', () => {
  let dir: string;
  beforeAll(async () => {
    const unbuilt = BUILT.filter((f) => !existsSync(path.join(REPO_ROOT, f)));
    if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-serve-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints where to open it and what it serves, serves the page, and stops cleanly on Ctrl-C', async () => {
    const settingsFile = path.join(dir, 'settings.json');
    const snapshots = path.join(dir, 'snapshots');
    const serve = run([
      'serve',
      '--port',
      '0',
      '--models',
      MODELS,
      '--settings',
      settingsFile,
      '--snapshots',
      snapshots,
    ]);
    try {
      await expect.poll(() => serve.output(), { timeout: 30_000 }).toMatch(/Press Ctrl-C to stop/);
      const printed = serve.output();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(printed)?.[0];
      expect(url, printed).toBeDefined();
      for (const where of [MODELS, settingsFile, snapshots]) expect(printed).toContain(where);

      const page = await rawGet(url!, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root">');
      const client = await openWire(url!);
      client.send({ t: 'control', id: 1, channel: 'models:list', payload: {} });
      const reply = await client.reply(1);
      expect(reply.ok && (reply.value as { id: string }[]).map((m) => m.id)).toContain('user:udnie');

      serve.child.kill('SIGINT');
      expect(await serve.exited).toBe(0);
      expect(serve.output()).toMatch(/Ctrl-C: stopping Style Mirror…\nStopped\./);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('refuses a bad port or models folder, saying which and why', async () => {
    const badPort = run(['serve', '--port', 'eighty']);
    expect(await badPort.exited).not.toBe(0);
    expect(badPort.output()).toMatch(/--port.*expected a port number/);

    const badModels = run([
      'serve',
      '--port',
      '0',
      '--models',
      path.join(dir, 'nowhere'),
      '--settings',
      path.join(dir, 's.json'),
    ]);
    expect(await badModels.exited).not.toBe(0);
    expect(badModels.output()).toMatch(/--models: .*nowhere is not a folder/);
  });
});
