/**
 * `stylemirror serve` as a person runs it: the built CLI in its own process, its printed address
 * opened, then Ctrl-C. Needs `npm run build` first (`npm test` does).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuild, runCli as run, servedUrl } from './serve-process.js';
import { openWire, rawGet } from './wire-test-client.js';

const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

describe('stylemirror serve (built)', () => {
  let dir: string;
  beforeAll(async () => {
    requireBuild();
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
      const url = await servedUrl(serve, /http:\/\/127\.0\.0\.1:\d+\//);
      const printed = serve.output();
      for (const where of [MODELS, settingsFile, snapshots]) expect(printed).toContain(where);
      expect(printed).toMatch(
        /Limits: +8 pages at once; frames up to 2073600 pixels \(1920x1080\), processed at most 640x480; 500 snapshots per run\./,
      );

      const page = await rawGet(url, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root">');
      const client = await openWire(url);
      client.send({ t: 'control', id: 1, channel: 'models:list', payload: {} });
      const reply = await client.reply(1);
      expect(reply.ok && (reply.value as { id: string }[]).map((m) => m.id)).toContain('user:udnie');

      serve.child.kill('SIGINT');
      expect(await serve.exited).toBe(0);
      expect(serve.output()).toMatch(/Ctrl-C: stopping Style Mirror…\nStopped\./);
      // Its log, in STYLEMIRROR_HOME (every test file has its own), as the banner said.
      const logFile = path.join(process.env.STYLEMIRROR_HOME!, 'logs', 'serve.log');
      expect(printed).toContain(`Log:       ${logFile}`);
      const logged = await readFile(logFile, 'utf8');
      expect(logged).toMatch(/^\[[^\]]+\] info \(serve\) serving on 127\.0\.0\.1, port \d+; settings /m);
      expect(logged).toMatch(/^\[[^\]]+\] info \(serve\) stopped$/m);
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

    const badLog = run(['serve', '--port', '0', '--settings', path.join(dir, 's.json'), '--log-file', dir]);
    expect(await badLog.exited).not.toBe(0);
    expect(badLog.output()).toContain(`--log-file: Cannot write the log file ${dir}: it is a folder.`);
  });
});
