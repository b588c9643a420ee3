// Loaded with `node --import` into a process under test (and, through the Worker patch below, its worker threads):
// every outbound TCP connection or DNS lookup to anything but loopback is refused and appended to the
// file named by STYLEMIRROR_OUTBOUND_LOG, one JSON line each, so a test can assert there were none.
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import workerThreads from 'node:worker_threads';

const log = process.env.STYLEMIRROR_OUTBOUND_LOG;
const isLoopback = (host) =>
  host === undefined ||
  host === 'localhost' ||
  /^127\./.test(host) ||
  host === '::1' ||
  host === '::ffff:127.0.0.1';

// One line per process or thread the recorder runs in, so a test can tell it was really loaded.
if (log)
  appendFileSync(
    `${log}.loaded`,
    `${JSON.stringify({ pid: process.pid, thread: workerThreads.threadId })}\n`,
  );

function record(kind, host, port) {
  if (log) appendFileSync(log, `${JSON.stringify({ kind, host, port, pid: process.pid })}\n`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() hands connect() its arguments already normalised: an array whose first item is the options.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  // Unix sockets and pipes (options.path) are local by definition.
  if (options.path === undefined && !isLoopback(options.host)) {
    record('connect', options.host, options.port);
    process.nextTick(() =>
      this.destroy(new Error(`outbound connection to ${options.host} refused by the test`)),
    );
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  if (!isLoopback(hostname)) record('dns', hostname, undefined);
  return lookup.call(this, hostname, ...rest);
};

// Worker threads do not run --import preloads: start each worker's script after this recorder.
const recorder = import.meta.url;
const OriginalWorker = workerThreads.Worker;
workerThreads.Worker = class RecordedWorker extends OriginalWorker {
  constructor(filename, options = {}) {
    if (options.eval) {
      super(filename, options);
      return;
    }
    const script = filename instanceof URL ? filename.href : pathToFileURL(String(filename)).href;
    super(`import(${JSON.stringify(recorder)}).then(() => import(${JSON.stringify(script)}))`, {
      ...options,
      eval: true,
    });
  }
};
// `import { Worker } from 'node:worker_threads'` in modules loaded after this one sees the patch.
syncBuiltinESMExports();
