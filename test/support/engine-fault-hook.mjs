// A test launcher for `stylemirror serve`: loaded with `node --import` before the CLI, never by the
// app, so nothing here is reachable from a page or the network. It swaps the engine's worker thread
// for test/support/faulty-engine-worker.mjs (the real, built worker plus two fault messages) and
// takes orders on serve's stdin, one a line:
//   crash  the engine thread dies at once, as a native crash or an out-of-memory kill would;
//   hang   its next frame spins forever, answering nothing, as an infinite loop in a backend would.
// It prints `fault hook: …` lines so a test can follow: each engine start, and a spinning engine.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const threads = require('node:worker_threads');
const FAULTY = new URL('./faulty-engine-worker.mjs', import.meta.url);

// `--import` reaches worker threads too: the hook belongs to serve's main thread only.
if (threads.isMainThread) {
  /** Every engine worker started, the current one last. */
  const engines = [];

  class EngineFaultWorker extends threads.Worker {
    constructor(script, options) {
      const isEngine = String(script).endsWith('/engine/worker/engine-worker.js');
      super(isEngine ? FAULTY : script, options);
      if (!isEngine) return;
      engines.push(this);
      console.log(`fault hook: engine worker ${engines.length} started`);
      this.on('message', (message) => {
        if (message?.spinningForTest === true) console.log('fault hook: engine worker spinning');
      });
    }
  }
  threads.Worker = EngineFaultWorker;
  // `import { Worker } from 'node:worker_threads'` in the launcher reads the patched class.
  syncBuiltinESMExports();

  const orders = { crash: 'crash-for-test', hang: 'hang-for-test' };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const method = orders[line.trim()];
    const engine = engines.at(-1);
    if (method === undefined || engine === undefined) {
      console.log(`fault hook: cannot ${JSON.stringify(line)} (engines started: ${engines.length})`);
      return;
    }
    engine.postMessage({ method });
    console.log(`fault hook: sent ${line.trim()}`);
  });
  // serve stops on SIGTERM without waiting for stdin to end.
  process.stdin.unref();
}
