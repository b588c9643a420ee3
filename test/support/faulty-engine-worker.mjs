// The real engine worker (built), plus two messages that make it fail the ways supervisors must
// handle: `crash-for-test` kills the thread as a native crash or an out-of-memory kill would;
// `hang-for-test` makes the next `stylize` spin forever, as an infinite loop in a backend would
// (the thread answers nothing at all after that, not even `status`).
import { parentPort } from 'node:worker_threads';
import '../../dist/main/engine/worker/engine-worker.js';

let hangNextFrame = false;
parentPort.on('message', (message) => {
  if (message?.method === 'crash-for-test') process.exit(3);
  if (message?.method === 'hang-for-test') hangNextFrame = true;
  if (message?.method === 'stylize' && hangNextFrame) {
    // Says so first (no id: no supervisor takes it for a reply), so a test knows it is stuck for good.
    parentPort.postMessage({ spinningForTest: true });
    for (;;) {
      // Spin: only terminate() ends this.
    }
  }
});
