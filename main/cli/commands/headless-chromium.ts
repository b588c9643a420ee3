/**
 * Just enough of the Chrome DevTools Protocol to open a page in headless Chromium and read values off
 * it, over `--remote-debugging-pipe` (no port to collide with, nothing listening).
 *
 * Why not Playwright, which the e2e tests use: Playwright enables CDP's Network domain on every page,
 * and Chromium then copies every WebSocket message, base64-encoded, to the driver. In browser mode
 * that is every frame both ways, about 5 MB/s, on the same two cores as the engine: the pipeline bench
 * measured 10.1 fps with the Network domain on and 11.2 fps with it off. A person's browser does not
 * do that work, so the bench must not either; this driver enables nothing it does not read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RequestTracker } from '../../../common/request-tracker.js';

export interface HeadlessChromiumOptions {
  readonly executable: string;
  /** A fresh profile folder (the caller removes it). */
  readonly userDataDir: string;
  /** Extra command-line switches (fake camera, and so on). */
  readonly args?: readonly string[];
  readonly windowSize?: { readonly width: number; readonly height: number };
}

interface CdpMessage {
  readonly id?: number;
  readonly sessionId?: string;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/** One open page: evaluates expressions in it and collects its uncaught errors. */
export interface HeadlessPage {
  /** Evaluates `expression` in the page (awaiting a promise it returns) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Presses and releases a key as a person would, e.g. `ArrowRight` (a DOM `KeyboardEvent.key` from {@link KEY_CODES}). */
  pressKey(key: keyof typeof KEY_CODES): Promise<void>;
  /** Uncaught exceptions the page has thrown so far. */
  readonly errors: readonly string[];
}

/** The keys `pressKey` knows, with their Windows virtual-key codes (which Chromium needs for `keydown`). */
export const KEY_CODES = { ArrowLeft: 37, ArrowRight: 39 } as const;

export class HeadlessChromium {
  private readonly requests = new RequestTracker<Record<string, unknown>>();
  private readonly sessionListeners = new Map<string, (message: CdpMessage) => void>();
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
  ) {}

  /** Starts Chromium headless with the DevTools protocol on a pipe. */
  /**
   * Chromium for the mirror's page on a fake camera (`cameraArgs`, e.g. a video file to play), as the
   * benches and the soak run drive it: the camera granted without a prompt.
   */
  static launchWithFakeCamera(options: {
    readonly executable: string;
    readonly userDataDir: string;
    readonly cameraArgs: readonly string[];
  }): Promise<HeadlessChromium> {
    return HeadlessChromium.launch({
      executable: options.executable,
      userDataDir: options.userDataDir,
      windowSize: { width: 800, height: 600 },
      args: [
        // Root in a container cannot start Chromium's sandbox; the page is our own, from loopback.
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        // Grants the camera without a prompt, and plays the fake camera.
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        ...options.cameraArgs,
      ],
    });
  }

  static async launch(options: HeadlessChromiumOptions): Promise<HeadlessChromium> {
    const { width, height } = options.windowSize ?? { width: 800, height: 600 };
    const child = spawn(
      options.executable,
      [
        '--headless',
        '--remote-debugging-pipe',
        `--user-data-dir=${options.userDataDir}`,
        `--window-size=${width},${height}`,
        '--no-first-run',
        '--no-default-browser-check',
        ...(options.args ?? []),
        'about:blank',
      ],
      // fd 3: commands to Chromium; fd 4: its replies and events.
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    // A missing or unrunnable executable fails here (ENOENT, EACCES), before any pipe exists.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const chromium = new HeadlessChromium(child, child.stdio[3] as Writable);
    chromium.listen(child.stdio[4] as Readable);
    child.stderr?.on('data', (chunk: Buffer) => {
      chromium.stderrTail = (chromium.stderrTail + chunk.toString()).slice(-2000);
    });
    child.once('exit', (code, signal) => {
      chromium.requests.close(
        new Error(
          `Chromium exited (${signal ?? `code ${code}`})${chromium.stderrTail === '' ? '' : `: ${chromium.stderrTail.trim().split('\n').slice(-3).join(' | ')}`}`,
        ),
      );
    });
    return chromium;
  }

  /** The browser process's id: the root of Chromium's process tree (renderers, GPU, utilities). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Chromium's version, as "Chrome/156.0.8078.79" gives it: "156.0.8078.79". */
  async version(): Promise<string> {
    const { product } = (await this.send('Browser.getVersion')) as { product: string };
    return product.replace(/^[^/]*\//, '');
  }

  /** Opens `url` in a new page. */
  async openPage(url: string): Promise<HeadlessPage> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const errors: string[] = [];
    this.sessionListeners.set(sessionId, (message) => {
      if (message.method !== 'Runtime.exceptionThrown') return;
      const details = message.params?.exceptionDetails as
        { text?: string; exception?: { description?: string } } | undefined;
      errors.push(details?.exception?.description ?? details?.text ?? 'an uncaught error');
    });
    await this.send('Runtime.enable', {}, sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    return {
      errors,
      evaluate: async <T>(expression: string): Promise<T> => {
        const reply = (await this.send(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          sessionId,
        )) as {
          result: { value?: T };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        if (reply.exceptionDetails !== undefined) {
          const { exception, text } = reply.exceptionDetails;
          throw new Error(`The page threw: ${exception?.description ?? text}`);
        }
        return reply.result.value as T;
      },
      pressKey: async (key) => {
        const event = { key, code: key, windowsVirtualKeyCode: KEY_CODES[key] };
        await this.send('Input.dispatchKeyEvent', { type: 'keyDown', ...event }, sessionId);
        await this.send('Input.dispatchKeyEvent', { type: 'keyUp', ...event }, sessionId);
      },
    };
  }

  /** Closes Chromium and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      await this.send('Browser.close');
    } catch {
      this.child.kill('SIGKILL');
    }
    await exited;
  }

  private send(method: string, params: Record<string, unknown> = {}, sessionId?: string) {
    // After Chromium exited, this rejects at once with why it exited.
    const { id, reply } = this.requests.open({ label: method });
    // The pipe protocol: one JSON message per NUL-terminated record.
    if (!this.requests.closed) this.input.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return reply;
  }

  private listen(output: Readable): void {
    let buffered = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\0')) !== -1) {
        const message = JSON.parse(buffered.slice(0, end)) as CdpMessage;
        buffered = buffered.slice(end + 1);
        this.dispatch(message);
      }
    });
  }

  private dispatch(message: CdpMessage): void {
    if (message.id === undefined) {
      if (message.sessionId !== undefined) this.sessionListeners.get(message.sessionId)?.(message);
      return;
    }
    if (message.error !== undefined)
      this.requests.reject(message.id, new Error(`Chromium: ${message.error.message}`));
    else this.requests.resolve(message.id, message.result ?? {});
  }
}
