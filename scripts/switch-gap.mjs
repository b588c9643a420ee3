// How long a style switch stops frames: stylizes 256x192 frames back to back through the engine's
// message loop (one in flight, like the page) and switches the model between them, printing the
// load's duration and the longest gap between two frame replies while it ran.
// Usage: npm run build:main && node scripts/switch-gap.mjs [model dirs...] (default: the bundled ones)
import { performance } from 'node:perf_hooks';
import { Engine } from '../dist/main/engine/engine.js';
import { serveEngine } from '../dist/main/engine/worker/serve-engine.js';

const dirs = process.argv.slice(2);
if (dirs.length < 2) dirs.push('models/mathura', 'models/matilde_perez', 'models/matta');
const engine = new Engine();
const listeners = [];
const pending = new Map();
serveEngine(engine, {
  onMessage: (listener) => listeners.push(listener),
  postMessage: (reply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  },
});
let nextId = 1;
function call(method, params) {
  const id = nextId++;
  const promise = new Promise((resolve) => pending.set(id, resolve));
  for (const listener of listeners) listener({ id, method, params });
  return promise;
}
const width = 256,
  height = 192;
function frame() {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 255;
  return { data, width, height, channels: 4 };
}

await call('loadModel', { dir: dirs[0], backend: 'ort' });
let lastReply = performance.now();
let gaps = [];
let running = true;
const pump = (async () => {
  while (running) {
    const reply = await call('stylize', { frame: frame(), options: {} });
    if (!reply.ok) throw new Error(reply.error.message);
    const now = performance.now();
    gaps.push(now - lastReply);
    lastReply = now;
  }
})();
await new Promise((r) => setTimeout(r, 1500));
for (const dir of [...dirs.slice(1), dirs[0], ...dirs.slice(1)]) {
  gaps = [];
  const started = performance.now();
  const reply = await call('loadModel', { dir, backend: 'ort' });
  const loadMs = performance.now() - started;
  if (!reply.ok) throw new Error(reply.error.message);
  const during = gaps.length;
  await new Promise((r) => setTimeout(r, 800));
  // The first reply after the load closes the gap the load opened.
  const around = gaps.slice(0, during + 1);
  const after = gaps.slice(during + 1);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(
    `${dir}: load ${loadMs.toFixed(0)} ms; frames during it ${during}, longest gap ` +
      `${Math.max(0, ...around).toFixed(0)} ms; frame period after ${median(after).toFixed(0)} ms`,
  );
}
running = false;
await pump;
await engine.dispose();
