/**
 * CPU time used by a process and everything it started, for the pipeline bench: Chromium is a tree
 * of processes (browser, renderer, GPU, utilities), and what the mirror costs is their sum. Linux
 * only (it reads /proc); elsewhere it says it cannot measure rather than guess.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks per second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Whether {@link processTreeCpuMs} can measure here. */
export function canMeasureProcessTrees(): boolean {
  return process.platform === 'linux';
}

/**
 * CPU milliseconds (user + system) used so far by `rootPid` and all its living descendants; null
 * where /proc is not there. A descendant that already exited is not counted.
 */
export function processTreeCpuMs(rootPid: number): number | null {
  if (!canMeasureProcessTrees()) return null;
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // Exited while we looked.
    }
    // The command name is in parentheses and may hold spaces: fields are counted after its end.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) ... utime(11) stime(12).
    stats.set(Number(name), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 0; at = stats.get(at)?.parent) {
      if (at === rootPid) {
        ticks += stat.ticks;
        break;
      }
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU milliseconds (user + system) used so far by this process, all its threads included. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
