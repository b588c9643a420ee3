// The real engine worker (built), plus one extra message that kills the thread the way a native crash
// or an out-of-memory kill would: for testing supervisors.
import { parentPort } from 'node:worker_threads';
import '../../dist/main/engine/worker/engine-worker.js';

parentPort.on('message', (message) => {
  if (message && message.method === 'crash-for-test') process.exit(3);
});
