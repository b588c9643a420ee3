/** The soak's verdict as people read it: a table at the end of the run, and one line for a report. */
import { bound, type SoakVerdict } from './soak-verdict.js';

export interface SoakSetting {
  readonly machine: string;
  readonly engine: string;
  readonly firstStyle: string;
  /** Seconds between style switches; 0: no switching. */
  readonly everyS: number;
  readonly size: string;
  readonly stoppedEarly: boolean;
}

/** The summary table, one line per string. */
export function summaryTable(verdict: SoakVerdict, setting: SoakSetting, files: readonly string[]): string[] {
  const { limits } = verdict;
  const lines = [
    `Style Mirror soak: ${verdict.ok ? 'PASS' : 'FAIL'}`,
    `  run       ${verdict.durationS.toFixed(0)} s after the first frame${setting.stoppedEarly ? ' (stopped early)' : ''}; warm-up ${limits.warmupS.toFixed(0)} s, windows ${limits.windowS.toFixed(0)} s`,
    `  mirror    ${setting.firstStyle} first, ${setting.everyS > 0 ? `next style every ${setting.everyS} s` : 'no style switches'}, processing size ${setting.size}`,
    `  engine    ${setting.engine}`,
    `  machine   ${setting.machine}`,
    '',
    `  ${'memory (median MiB)'.padEnd(30)} ${'first'.padStart(8)} ${'last'.padStart(8)} ${'growth'.padStart(8)} ${'bound'.padStart(6)}`,
  ];
  for (const finding of verdict.memory) {
    const cell = (value: number | null) => (value === null ? '–' : value.toFixed(1)).padStart(8);
    const growth =
      finding.growth === null
        ? '–'
        : `${finding.growth >= 0 ? '+' : ''}${(finding.growth * 100).toFixed(1)}%`;
    const judged = finding.judged ? bound(limits.maxGrowth) : '–';
    const outcome = !finding.judged
      ? 'shown'
      : finding.growth === null
        ? 'n/a'
        : finding.ok
          ? 'ok'
          : 'TOO MUCH';
    lines.push(
      `  ${finding.label.padEnd(30)} ${cell(finding.firstMiB)} ${cell(finding.lastMiB)} ${growth.padStart(8)} ${judged.padStart(6)}  ${outcome}`,
    );
  }
  const { fps, frameAgeMs, longestStall, switches } = verdict;
  lines.push(
    '',
    `  fps drawn       ${fps === null ? '–' : `median ${fps.median.toFixed(1)}, lowest ${fps.lowest.toFixed(0)}`} (after the warm-up)`,
    `  frame age       ${frameAgeMs === null ? '–' : `median ${frameAgeMs.median.toFixed(0)} ms, longest ${frameAgeMs.longest.toFixed(0)} ms at a sample`}`,
    `  longest gap     ${longestStall === null ? '–' : `${longestStall.countedS.toFixed(2)} s outside style switches`} (limit ${limits.maxGapS} s)`,
    `  style switches  ${switches.count}${switches.medianS === null ? '' : `, median ${switches.medianS.toFixed(2)} s, longest ${switches.longestS!.toFixed(2)} s`}${switches.unfinished > 0 ? `, ${switches.unfinished} unfinished` : ''} (limit ${limits.maxSwitchS} s)`,
    '',
    ...files.map((file, i) => `  ${i === 0 ? 'files' : ''.padEnd(5)}           ${file}`),
  );
  for (const failure of verdict.failures) lines.push(`  FAIL: ${failure}`);
  lines.push('', `Summary: ${summaryLine(verdict)}`);
  return lines;
}

/** The run in one line: verdict, memory growth per judged process, fps, gaps and switches. */
export function summaryLine(verdict: SoakVerdict): string {
  return summaryParts(verdict).join('; ');
}

/** The one-line summary's parts: verdict and memory; fps; gaps; switches. */
export function summaryParts(verdict: SoakVerdict): string[] {
  const growth = verdict.memory
    .filter((finding) => finding.judged && finding.growth !== null)
    .map(
      (finding) =>
        `${finding.short} ${finding.growth! >= 0 ? '+' : ''}${(finding.growth! * 100).toFixed(1)}%`,
    )
    .join(', ');
  const { fps, longestStall, switches } = verdict;
  return [
    `soak ${verdict.ok ? 'PASS' : 'FAIL'} over ${verdict.durationS.toFixed(0)} s, RSS growth ${growth} (bound ${bound(verdict.limits.maxGrowth)})`,
    `fps median ${fps?.median.toFixed(1) ?? '–'}`,
    `longest gap ${longestStall?.countedS.toFixed(2) ?? '–'} s`,
    `${switches.count} style switches, longest ${switches.longestS?.toFixed(2) ?? '–'} s`,
  ];
}
