import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeTempDir } from '../support/model-fixtures.js';
import { startPackServer, type PackServer } from '../support/pack-server.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SHARED_ML5 = path.resolve(REPO_ROOT, '../shared/models/ml5');
const BUILT_CLI = path.join(REPO_ROOT, 'dist/main/cli/stylemirror.js');
const haveModels = existsSync(SHARED_ML5);
if (!haveModels) console.log(`\`models get\` not tested: ${SHARED_ML5} (the shared ml5 models) is absent.`);

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with its home in `home`; stdin is a pipe (not a terminal), closed at once. */
function cli(home: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, STYLEMIRROR_HOME: home, NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') return reject(error);
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

async function server(): Promise<PackServer> {
  const started = await startPackServer(SHARED_ML5);
  onTestFinished(() => started.close());
  return started;
}

describe('stylemirror models packs | get (built)', () => {
  beforeAll(() => {
    if (!existsSync(BUILT_CLI)) {
      throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (\`npm test\` does).`);
    }
  });

  it('lists the packs with their licences', async () => {
    const run = await cli(await makeTempDir(), ['models', 'packs']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ml5-classics {2}ml5 classics: 6 models, 40\.3 MB$/m);
    expect(run.stdout).toMatch(/Licence: Free for research use only .*<https:\/\/github\.com\/lengstrom/);
  });

  it('refuses an unknown pack, naming the packs there are', async () => {
    const run = await cli(await makeTempDir(), ['models', 'get', 'nope', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No style pack "nope"\. Packs: ml5-classics\./);
  });

  it('refuses a --from that is not http(s)', async () => {
    const run = await cli(await makeTempDir(), [
      'models',
      'get',
      'ml5-classics',
      '--from',
      'file:///etc/',
      '--yes',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--from <url>.*expected an http:\/\/ or https:\/\/ URL/);
  });

  it.skipIf(!haveModels)('shows the licence and, without a terminal to ask on, wants --yes', async () => {
    const served = await server();
    const home = await makeTempDir();
    const run = await cli(home, ['models', 'get', 'ml5-classics', '--from', served.url]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Free for research use, as long as proper attribution is given');
    expect(run.stdout).toMatch(/not for commercial use/);
    expect(run.stderr).toMatch(/stdin is not a terminal.*pass --yes/);
    expect(served.requests).toEqual([]);
    expect(existsSync(path.join(home, 'library'))).toBe(false);
  });

  it.skipIf(!haveModels)(
    'with --yes downloads the pack into the library, and says so; again, adds nothing',
    async () => {
      const served = await server();
      const home = await makeTempDir();
      const run = await cli(home, ['models', 'get', 'ml5-classics', '--from', served.url, '--yes']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Licence: Free for research use only/);
      expect(run.stdout).toMatch(/^Added 6 of 6 models to .*library:$/m);
      expect(run.stdout).toMatch(/^ {2}The Great Wave {2}\(library:the_great_wave\)$/m);

      const library = path.join(home, 'library');
      expect((await readdir(library)).sort()).toEqual([
        'la_muse',
        'rain_princess',
        'the_great_wave',
        'the_scream',
        'the_shipwreck_of_the_minotaur',
        'udnie',
      ]);
      const entry = JSON.parse(await readFile(path.join(library, 'udnie', 'library-entry.json'), 'utf8'));
      expect(entry).toMatchObject({ source: 'pack:ml5-classics', origin: `${served.url}udnie/` });

      const again = await cli(home, ['models', 'get', 'ml5-classics', '--from', served.url]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/All 6 models of ml5 classics are already in your library/);
      expect(served.requests).toHaveLength(6 * 49);
    },
  );
});
