/**
 * `stylemirror serve` as a child process in its own STYLEMIRROR_HOME, the way a person starts it, for
 * the end-to-end tests: resolves once it has printed its loopback address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ServeChild {
  readonly child: ChildProcess;
  /** The address it printed, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

export async function startServeChild(options: {
  readonly home: string;
  /** After `serve` (always on any free port). */
  readonly args?: readonly string[];
  /** Before the CLI script: Node's own flags (`--import` a preload). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}): Promise<ServeChild> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      path.join(REPO_ROOT, 'bin/stylemirror.js'),
      'serve',
      '--port',
      '0',
      ...(options.args ?? []),
    ],
    {
      cwd: options.home,
      env: { ...process.env, ...options.env, STYLEMIRROR_HOME: options.home, NO_COLOR: '1' },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${output}`)), 60_000);
    child.stdout.on('data', () => {
      const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}
