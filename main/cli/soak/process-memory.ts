/**
 * Resident memory of Chromium's processes, from Linux's /proc: the browser process the soak launched
 * and every process below it (zygotes fork the renderers, so they are grandchildren), grouped by the
 * `--type=` switch Chromium gives each child process on its command line.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Chromium's processes by kind, in KiB of resident memory (VmRSS). */
export interface ChromiumMemory {
  /** The browser process itself (no `--type=`). */
  readonly browserKiB: number;
  /** All `--type=renderer` processes added up: the page's, and any other tab's (about:blank). */
  readonly rendererKiB: number;
  readonly renderers: number;
  /** The `--type=gpu-process`, or null when there is none. */
  readonly gpuKiB: number | null;
  /** Every other child (`--type=utility`: network, storage, the fake camera's capture service; zygotes). */
  readonly otherKiB: number;
  readonly others: number;
}

/** Whether this system has /proc to read (Linux). */
export async function procAvailable(): Promise<boolean> {
  return readFile('/proc/self/status', 'utf8').then(
    () => true,
    () => false,
  );
}

/** A process's resident memory in KiB, or null when it is gone (or has no memory map, as a zombie). */
export async function residentKiB(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  return status === null ? null : parseVmRssKiB(status);
}

/** The `VmRSS:` line of a /proc/<pid>/status text, in KiB; null when it has none. */
export function parseVmRssKiB(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match === null ? null : Number(match[1]);
}

/** The parent pid in a /proc/<pid>/stat line; its second field, the name, may hold spaces and parentheses. */
export function parseParentPid(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state, then the parent pid.
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * Chromium's `--type=` in a /proc/<pid>/cmdline; null for the browser process. Arguments are
 * NUL-separated, except in processes forked from the zygote, which rewrite their title into one
 * space-separated string.
 */
export function chromiumProcessType(cmdline: string): string | null {
  return /(?:^|[\0 ])--type=([^\0 ]+)/.exec(cmdline)?.[1] ?? null;
}

/** Reads the memory of `rootPid` and all its descendants, grouped by Chromium process type. */
export async function readChromiumMemory(rootPid: number): Promise<ChromiumMemory> {
  const pids = await descendantsOf(rootPid);
  let browserKiB = 0;
  let rendererKiB = 0;
  let renderers = 0;
  let gpuKiB: number | null = null;
  let otherKiB = 0;
  let others = 0;
  await Promise.all(
    [rootPid, ...pids].map(async (pid) => {
      // A process may end between the listing and these reads: it then counts for nothing.
      const [cmdline, kib] = await Promise.all([
        readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null),
        residentKiB(pid),
      ]);
      if (cmdline === null || kib === null) return;
      const type = chromiumProcessType(cmdline);
      if (type === null) browserKiB += kib;
      else if (type === 'renderer') {
        rendererKiB += kib;
        renderers++;
      } else if (type === 'gpu-process') gpuKiB = (gpuKiB ?? 0) + kib;
      else {
        otherKiB += kib;
        others++;
      }
    }),
  );
  return { browserKiB, rendererKiB, renderers, gpuKiB, otherKiB, others };
}

/** Every live process below `rootPid`, found through each process's parent pid. */
async function descendantsOf(rootPid: number): Promise<number[]> {
  const entries = await readdir('/proc');
  const children = new Map<number, number[]>();
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
        const ppid = stat === null ? null : parseParentPid(stat);
        if (ppid === null) return;
        const siblings = children.get(ppid) ?? [];
        siblings.push(Number(name));
        children.set(ppid, siblings);
      }),
  );
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
