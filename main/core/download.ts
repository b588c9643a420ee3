/**
 * One file over HTTP(S), resumable and verified: bytes go to `<dest>.part`, a later attempt continues
 * from what is there with `Range: bytes=N-`, and only a file of exactly the pinned size and sha256
 * is renamed to `<dest>`. Never more than the pinned size is written, whatever the server says.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, truncate } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isHttpUrl } from './packs/style-pack-schema.js';

/** Why a download failed. Stable strings: the UI and tests match on them. */
export type DownloadErrorCode =
  'bad-url' | 'http-status' | 'too-large' | 'truncated' | 'hash-mismatch' | 'timeout' | 'network';

/** A download that failed; the message names the file, the URL and what went wrong. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';

  constructor(
    readonly code: DownloadErrorCode,
    /** What the file is called in messages, e.g. `ml5-classics/udnie/Variable_12`. */
    readonly file: string,
    readonly url: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Download of ${file} from ${url}: ${problem}`, options);
  }

  /** Worth another attempt: the next one resumes where this one stopped. */
  get retryable(): boolean {
    return this.code === 'network' || this.code === 'truncated' || this.code === 'timeout';
  }
}

/** How long a request may go without a byte (headers or body) before it counts as stalled. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Attempts after the first for a dropped, stalled or short transfer, each resuming with Range. */
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_DELAY_MS = 1_000;

export interface DownloadFileOptions {
  readonly url: string;
  /** Where the verified file ends up; `<dest>.part` holds it while incomplete. Its folder must exist. */
  readonly dest: string;
  readonly size: number;
  /** Lowercase hex. */
  readonly sha256: string;
  /** Name for messages; default `dest`. */
  readonly label?: string;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  readonly idleTimeoutMs?: number;
  readonly retries?: number;
  /** Wait before attempt k+1 is k times this. */
  readonly retryDelayMs?: number;
  /** Bytes of this file on disk so far; may go down once, when a server ignores Range and it restarts. */
  readonly onBytes?: (bytes: number) => void;
}

/**
 * Downloads `url` to `dest` and verifies it. A `dest` already there with the right size and hash is
 * kept without a request.
 *
 * @throws {DownloadError} for a bad URL, an HTTP error status, a response longer than pinned, a
 *   transfer that still fails after the retries, or a hash mismatch (the bad file is deleted first).
 * @throws the signal's reason when aborted; `<dest>.part` stays, so the next call resumes.
 */
export async function downloadVerifiedFile(options: DownloadFileOptions): Promise<void> {
  const { url, dest, size, sha256 } = options;
  const label = options.label ?? dest;
  if (!isHttpUrl(url))
    throw new DownloadError('bad-url', label, url, 'only http:// and https:// URLs are fetched.');

  if ((await fileSize(dest)) === size && (await sha256Of(dest)) === sha256) {
    options.onBytes?.(size);
    return;
  }
  await rm(dest, { force: true });

  const part = `${dest}.part`;
  const retries = options.retries ?? DEFAULT_RETRIES;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      await fetchIntoPart(part, label, options);
      break;
    } catch (error) {
      if (!(error instanceof DownloadError) || !error.retryable || attempt >= retries) throw error;
      await sleep((attempt + 1) * (options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS), undefined, {
        signal: options.signal,
      }).catch((sleepError: unknown) => {
        options.signal?.throwIfAborted();
        throw sleepError;
      });
    }
  }

  const actual = await sha256Of(part);
  if (actual !== sha256) {
    await rm(part, { force: true });
    throw new DownloadError(
      'hash-mismatch',
      label,
      url,
      `sha256 is ${actual}, but the pack pins ${sha256}. The server sent different bytes (a changed or ` +
        'tampered file); it was deleted and nothing was added.',
    );
  }
  await rename(part, dest);
}

/** One request: continues `part` from its current length until it holds exactly `size` bytes. */
async function fetchIntoPart(part: string, label: string, options: DownloadFileOptions): Promise<void> {
  const { url, size } = options;
  let have = (await fileSize(part)) ?? 0;
  if (have > size) {
    await truncate(part, 0);
    have = 0;
  }
  options.onBytes?.(have);
  if (have === size) return;

  // One timer for the whole request, re-armed by every byte: a stalled server fails, a slow one does not.
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleMs);
  };
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const fail = (code: DownloadErrorCode, problem: string, cause?: unknown): DownloadError =>
    new DownloadError(code, label, url, problem, { cause });

  rearm();
  try {
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, {
        // Identity encoding: Range offsets and the pinned size count the file's own bytes, not gzip's.
        headers: { 'accept-encoding': 'identity', ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
        signal,
      });
    } catch (error) {
      throw stopReason(options.signal, idle.signal, fail, error);
    }

    const requested = have;
    if (response.status === 206 && requested > 0 && contentRangeStart(response) === requested) {
      // The server continues where the part file ends.
    } else if (response.status === 200 || response.status === 206) {
      // A server that ignores Range (200), or answers a range we did not ask for: start over.
      if (requested > 0) {
        await truncate(part, 0);
        have = 0;
        options.onBytes?.(0);
      }
      if (response.status === 206) {
        await response.body?.cancel();
        throw fail('network', `the server answered another range than bytes=${requested}-; starting over.`);
      }
    } else {
      await response.body?.cancel();
      if (response.status === 416) await truncate(part, 0);
      const retry = response.status === 416 || response.status >= 500;
      throw fail(
        retry ? 'network' : 'http-status',
        `the server answered ${response.status} ${response.statusText}.`,
      );
    }

    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (have + announced > size) {
      await response.body?.cancel();
      throw fail('too-large', `the server announced ${have + announced} bytes, but the pack pins ${size}.`);
    }
    if (response.body === null) throw fail('truncated', 'the response has no body.');

    const handle = await open(part, have > 0 ? 'a' : 'w');
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        rearm();
        if (have + chunk.byteLength > size) {
          await handle.close();
          await rm(part, { force: true });
          throw fail(
            'too-large',
            `the server sent more than the ${size} bytes the pack pins; the file was deleted.`,
          );
        }
        await handle.write(chunk);
        have += chunk.byteLength;
        options.onBytes?.(have);
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw stopReason(options.signal, idle.signal, fail, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (have < size) throw fail('truncated', `the transfer ended after ${have} of ${size} bytes.`);
  } finally {
    clearTimeout(timer);
  }
}

/** What a failed fetch or body read means: the caller's abort, our idle timeout, or the network. */
function stopReason(
  caller: AbortSignal | undefined,
  idle: AbortSignal,
  fail: (code: DownloadErrorCode, problem: string, cause?: unknown) => DownloadError,
  error: unknown,
): unknown {
  if (caller?.aborted) return caller.reason;
  if (idle.aborted) return fail('timeout', 'no data arrived for too long; the server stalled.', error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return fail('network', `the connection failed (${(error as Error).message}${cause}).`, error);
}

/** `Content-Range: bytes 100-199/200` -> 100; null when absent or malformed. */
function contentRangeStart(response: Response): number | null {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : null;
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
