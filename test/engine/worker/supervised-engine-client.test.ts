import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../../../main/engine/worker/engine-client.js';
import { SupervisedEngineClient } from '../../../main/engine/worker/supervised-engine-client.js';
// The worker itself is the built one (a worker thread cannot run TypeScript); the supervisor under test
// is the source.
import { REPO_ROOT, SHARED_DIR } from '../../support/testvectors.js';

const crashableWorker = new URL('../../support/crashable-engine-worker.mjs', import.meta.url);
const udnie = path.join(SHARED_DIR, 'models/ml5/udnie');

function smallFrame() {
  const data = new Uint8Array(32 * 24 * 4).map((_, i) => (i * 7) % 256);
  return { data, width: 32, height: 24, channels: 4 as const };
}

describe('SupervisedEngineClient (browser mode engine)', () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  }
  let engine: SupervisedEngineClient | undefined;
  afterEach(async () => {
    await engine?.close();
  });

  it('restarts a crashed worker, reloads the last model, and serves frames again', async () => {
    const workers: EngineClient[] = [];
    const log: string[] = [];
    engine = new SupervisedEngineClient({
      start: () => {
        const client = new EngineClient(crashableWorker);
        workers.push(client);
        return client;
      },
      log: (message) => log.push(message),
    });
    await engine.call('loadModel', { dir: udnie, backend: 'ort' });
    const before = await engine.call('stylize', { frame: smallFrame() });

    // The crash message is not part of the protocol: it goes straight to the worker, as a crash would.
    const crashed = workers[0]!.call('crash-for-test' as 'status', {});
    await expect(crashed).rejects.toThrow(/stopped \(exit code 3\)/);

    // Waits through the restart rather than failing; the model is back without being asked for.
    const status = await engine.call('status', {});
    expect(workers).toHaveLength(2);
    expect(status?.model).toBe('udnie');
    const after = await engine.call('stylize', { frame: smallFrame() });
    expect(Buffer.from(after.frame.data).equals(Buffer.from(before.frame.data))).toBe(true);
    expect(log.join('\n')).toMatch(/exit code 3.*Restarting in 1 s[\s\S]*restarted with model/);
  });

  it('does not restart after close, and refuses calls', async () => {
    let started = 0;
    engine = new SupervisedEngineClient({
      start: () => {
        started++;
        return new EngineClient(crashableWorker);
      },
      log: () => undefined,
    });
    await engine.close();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(started).toBe(1);
    await expect(engine.call('status', {})).rejects.toThrow(/shut down/);
    engine = undefined;
  });
});
