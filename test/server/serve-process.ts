/**
 * `stylemirror serve` as a person runs it: the built CLI in its own process. Needs `npm run build`
 * first (`npm test` does).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BUILT = ['dist/main/cli/stylemirror.js', 'dist/renderer/index.html'];

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Throws, saying what to run, when the CLI or the page is not built. */
export function requireBuild(): void {
  const unbuilt = BUILT.filter((f) => !existsSync(path.join(REPO_ROOT, f)));
  if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
}

/** Runs `stylemirror <args>` from the build, with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Resolves once `serve` has printed something matching `pattern`; rejects if it exits first. */
export function printed(serve: ServeProcess, pattern: RegExp | string): Promise<void> {
  const seen = (): boolean =>
    typeof pattern === 'string' ? serve.output().includes(pattern) : pattern.test(serve.output());
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!seen()) return;
      stop();
      resolve();
    };
    const exited = (code: number | null): void => {
      stop();
      reject(new Error(`exited (${code}) before printing ${pattern}:\n${serve.output()}`));
    };
    const stop = (): void => {
      serve.child.stdout?.off('data', check);
      serve.child.stderr?.off('data', check);
      serve.child.off('exit', exited);
    };
    serve.child.stdout?.on('data', check);
    serve.child.stderr?.on('data', check);
    serve.child.once('exit', exited);
    check();
  });
}

/** Waits for serve's banner and returns the first printed address matching `address`. */
export async function servedUrl(serve: ServeProcess, address: RegExp): Promise<string> {
  await printed(serve, /Press Ctrl-C to stop/);
  const url = address.exec(serve.output())?.[0];
  if (url === undefined) throw new Error(`serve printed no address like ${address}:\n${serve.output()}`);
  return url;
}

/** The resident memory of process `pid`, in bytes: /proc where there is one, else `ps`. */
export async function residentBytes(pid: number): Promise<number> {
  if (existsSync(`/proc/${pid}/status`)) {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  }
  const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) * 1024;
}
