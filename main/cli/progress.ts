/**
 * A progress bar for long `stylize` runs (videos, folders of images): done/total, frames per second
 * and time left, on stderr so that stdout stays the run's report. Only on a terminal: in a pipe or a
 * log file a redrawn bar is noise, and the per-item lines say the same.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** One more item done. */
  tick(): void;
  /** Prints a line above the bar (a failure, a note) without breaking it. */
  log(line: string): void;
  stop(): void;
}

export function startProgress(
  total: number | undefined,
  unit: 'frames' | 'images',
  stream: NodeJS.WriteStream = process.stderr,
): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        total === undefined
          ? ` {value} ${unit} | {fps} ${unit}/s | {duration_formatted}`
          : ` {bar} {percentage}% | {value}/{total} ${unit} | {fps} ${unit}/s | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 30,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  bar.start(total ?? 0, 0, { fps: '0.0' });
  return {
    tick() {
      done += 1;
      bar.update(done, { fps: (done / ((performance.now() - started) / 1000)).toFixed(1) });
    },
    log(line) {
      // SingleBar has no log(): clear the bar's line, print, and let the next redraw put it back.
      stream.write(`\r\x1b[2K${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
