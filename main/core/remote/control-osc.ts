/**
 * The remote control over OSC (UDP), for show-control software (QLab, TouchDesigner, Max): the same
 * verbs as HTTP under `/stylemirror/…`. OSC has no authentication, so it binds to loopback unless the
 * operator exposes it with `--control-host`. Garbage datagrams are logged (a few) and dropped.
 */
import { once } from 'node:events';
import { Server } from 'node-osc';
import { parseRemoteVerb, RemoteVerbError, type RemoteVerb, type RunVerb } from './remote-verbs.js';

export const OSC_PREFIX = '/stylemirror';

/** Problems logged per listener: a flood of garbage must not flood the log. */
const LOGGED_PROBLEMS = 20;
/** Messages inside one bundle, bundles included, that are acted on. */
const MAX_BUNDLE_MESSAGES = 16;

export interface ControlOscOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly run: RunVerb;
  readonly log: (line: string) => void;
}

export interface ControlOsc {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * OSC's address and arguments as a verb. OSC has no null and no named arguments: kiosk takes 1/0 (or
 * true/false), cycle takes seconds, 0 or nothing for "stop cycling".
 */
export function oscVerb(address: string, args: readonly unknown[]): RemoteVerb {
  const [first] = args;
  switch (address) {
    case `${OSC_PREFIX}/style/next`:
      return parseRemoteVerb('style-next', {});
    case `${OSC_PREFIX}/style/previous`:
      return parseRemoteVerb('style-previous', {});
    case `${OSC_PREFIX}/style`:
      return parseRemoteVerb('select-style', { id: first });
    case `${OSC_PREFIX}/snapshot`:
      return parseRemoteVerb('snapshot', {});
    case `${OSC_PREFIX}/strength`:
      return parseRemoteVerb('strength', { value: first });
    case `${OSC_PREFIX}/kiosk`:
      return parseRemoteVerb('kiosk', { on: first === 1 || first === 0 ? first === 1 : first });
    case `${OSC_PREFIX}/cycle`:
      return parseRemoteVerb('cycle', { seconds: first === undefined || first === 0 ? null : first });
    default:
      throw new RemoteVerbError(
        'invalid-request',
        400,
        `No OSC address ${JSON.stringify(address).slice(0, 200)}; the verbs are under ${OSC_PREFIX}/ (see the README's Remote control).`,
      );
  }
}

/** Starts listening; resolves once bound. */
export async function startControlOsc(options: ControlOscOptions): Promise<ControlOsc> {
  const server = new Server(options.port, options.host);
  let problems = 0;
  const problem = (line: string): void => {
    if (problems++ < LOGGED_PROBLEMS) options.log(`remote control (OSC): ${line}`);
    else if (problems === LOGGED_PROBLEMS + 1)
      options.log('remote control (OSC): more problems; not logging them.');
  };
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
  } catch (error) {
    await server.close()?.catch(() => undefined);
    throw new Error(
      `The OSC remote control could not listen on ${options.host}:${options.port}: ${(error as Error).message}. Choose another --osc-port.`,
    );
  }
  // node-osc also emits each message under its address: one addressed "error" arrives here as an array.
  server.on('error', (error: unknown) =>
    problem(error instanceof Error ? error.message : 'a message addressed "error" (ignored)'),
  );

  const act = (message: unknown): void => {
    if (!Array.isArray(message) || typeof message[0] !== 'string') return;
    const [address, ...args] = message as [string, ...unknown[]];
    let verb: RemoteVerb;
    try {
      verb = oscVerb(address, args);
    } catch (error) {
      problem((error as Error).message);
      return;
    }
    options.run(verb).catch((error: unknown) => problem((error as Error).message));
  };
  server.on('message', act);
  server.on('bundle', (bundle: unknown) => {
    for (const message of flatten(bundle, MAX_BUNDLE_MESSAGES)) act(message);
  });

  const port = server.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => (closing ??= Promise.resolve(server.close()).then(() => undefined)),
  };
}

/** The messages in a bundle (and the bundles inside it), at most `limit`. */
function flatten(bundle: unknown, limit: number): unknown[] {
  const found: unknown[] = [];
  const queue: unknown[] = [bundle];
  while (queue.length > 0 && found.length < limit) {
    const item = queue.shift() as { elements?: unknown } | unknown[];
    if (Array.isArray(item)) found.push(item);
    else if (Array.isArray((item as { elements?: unknown })?.elements)) {
      queue.push(...(item as { elements: unknown[] }).elements.slice(0, limit));
    }
  }
  return found;
}
