/**
 * The log's format and rotation, on real files: electron-log's Node logger, configured the way serve
 * and the app configure theirs (the app's `electron-log/main` is the same logger class and file
 * transport, but loads only inside Electron).
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodeLog from 'electron-log/node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureLog, LOG_FILES, LOG_MAX_BYTES, openNodeLog } from '../../main/core/log.js';

/** `[2026-12-02 06:24:01.839+00:00] warn (engine) message`. */
const LINE = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})([+-]\d\d:\d\d)\] (info|warn|error) \((\w+)\) (.*)$/;

let dir: string;
let loggers = 0;
/** A logger of its own per use: electron-log keeps one instance per logId. */
const freshLogger = (): typeof nodeLog =>
  nodeLog.create({ logId: `log-test-${++loggers}` }) as typeof nodeLog;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-log-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l !== '');
}

describe('the log', () => {
  it('writes one line per message: local time with its offset, level, scope, message', async () => {
    const logs = configureLog(freshLogger(), { file: path.join(dir, 'deep', 'main.log'), console: false });
    const before = Date.now();
    logs.scope('engine').warn('the engine crashed (exit code 3); restarting in 1 s');
    logs.scope('server').info('listening on http://127.0.0.1:8717/');
    logs.scope('page').error('the page is gone (crashed)');
    const written = await lines(logs.file);
    expect(written).toHaveLength(3);
    const parsed = written.map((line) => LINE.exec(line));
    expect(parsed.map((m) => m?.slice(3))).toEqual([
      ['warn', 'engine', 'the engine crashed (exit code 3); restarting in 1 s'],
      ['info', 'server', 'listening on http://127.0.0.1:8717/'],
      ['error', 'page', 'the page is gone (crashed)'],
    ]);
    // The written time is this machine's clock, read back through its offset.
    const [, local, offset] = parsed[0]!;
    const when = Date.parse(`${local!.replace(' ', 'T')}${offset!}`);
    expect(when).toBeGreaterThanOrEqual(before - 1);
    expect(when).toBeLessThanOrEqual(Date.now());
  });

  it('prints warnings to the terminal as the same line as in the file; info lines go to the file only', async () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void printed.push(args));
    const logger = freshLogger();
    // electron-log took console.warn when it loaded: write through the spy instead.
    logger.transports.console.writeFn = ({ message }) => console.warn(...message.data);
    const logs = configureLog(logger, { file: path.join(dir, 'main.log') });
    logs.scope('engine').info('loaded udnie');
    logs.scope('engine').warn('hung: no answer to "stylize" within 15000 ms');
    const written = await lines(logs.file);
    expect(written).toHaveLength(2);
    expect(printed).toEqual([[written[1]]]);
  });

  it('is configured the same by serve and the app: the same lines from either logger', async () => {
    const serve = openNodeLog({ file: path.join(dir, 'serve.log'), console: false }, freshLogger());
    const app = configureLog(freshLogger(), { file: path.join(dir, 'main.log'), console: false });
    for (const logs of [serve, app]) logs.scope('engine').warn('restarted');
    const [a, b] = [await lines(serve.file), await lines(app.file)];
    expect(a[0]!.replace(LINE, '$3 $4 $5')).toBe('warn engine restarted');
    expect(a.map((l) => l.replace(/^\[[^\]]+\]/, ''))).toEqual(b.map((l) => l.replace(/^\[[^\]]+\]/, '')));
  });

  it(`rotates by size, keeping ${LOG_FILES} files by default (${LOG_MAX_BYTES} bytes each), newest first`, async () => {
    const maxBytes = 2_000;
    const logs = configureLog(freshLogger(), { file: path.join(dir, 'main.log'), maxBytes, console: false });
    const log = logs.scope('test');
    // About 60 bytes a line: some 12 files' worth, so the oldest are dropped.
    const count = 400;
    for (let i = 0; i < count; i++) log.info(`line ${String(i).padStart(4, '0')} ${'x'.repeat(16)}`);

    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.4.log', 'main.log']);
    const order = ['main.4.log', 'main.3.log', 'main.2.log', 'main.1.log', 'main.log'];
    const numbers: number[] = [];
    for (const name of order) {
      const file = path.join(dir, name);
      // Rotated before the line that would pass the limit: at most one line over it.
      expect((await stat(file)).size).toBeLessThanOrEqual(maxBytes + 100);
      for (const line of await lines(file)) numbers.push(Number(/line (\d+)/.exec(line)![1]));
    }
    // Oldest to newest with nothing missing in between, and the very last line in the live file.
    expect(numbers.at(-1)).toBe(count - 1);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    expect(numbers[0]).toBeGreaterThan(0);
  });

  it('keeps as many files as asked', async () => {
    const logs = configureLog(freshLogger(), {
      file: path.join(dir, 'serve.log'),
      maxBytes: 500,
      files: 2,
      console: false,
    });
    for (let i = 0; i < 100; i++) logs.scope('test').info(`line ${i} ${'y'.repeat(30)}`);
    expect((await readdir(dir)).sort()).toEqual(['serve.1.log', 'serve.log']);
  });

  it('says why a file it cannot write is not written, and sends every line to the terminal instead', async () => {
    const printed: unknown[][] = [];
    const logger = freshLogger();
    logger.transports.console.writeFn = ({ message }) => void printed.push(message.data);
    // A folder where the file should be.
    const logs = configureLog(logger, { file: dir });
    expect(logs.problem).toBe(`Cannot write the log file ${dir}: it is a folder.`);
    logs.scope('serve').info('serving');
    expect(printed).toHaveLength(1);
    expect(String(printed[0]![0])).toMatch(/\] info \(serve\) serving$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to keep no files at all, saying so', () => {
    expect(() => configureLog(freshLogger(), { file: path.join(dir, 'x.log'), files: 0 })).toThrow(
      /Log files to keep must be 1 or more, not 0/,
    );
  });
});
