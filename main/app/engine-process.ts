import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import type { EngineLauncher, RunningEngine } from '../engine/engine-launcher.js';
import { ATTACH_FRAME_PORT } from '../../common/engine-protocol.js';

/**
 * Starts the style engine in an Electron utilityProcess, for the engine supervisor
 * (`main/engine/engine-supervisor.ts`), which restarts it, reloads its model and keeps the deadlines.
 * This adds only what is Electron's: forking, and the frame ports that let the window's frames go
 * straight to the engine without passing through main.
 */
export class UtilityProcessLauncher implements EngineLauncher {
  /** The process running now; undefined while none does. */
  private child: UtilityProcess | undefined;

  constructor(
    /** The built engine-worker.js. */
    private readonly workerPath: string,
    private readonly log: (message: string) => void = (message) =>
      console.warn(`Style Mirror engine: ${message}`),
  ) {}

  start(events: Parameters<EngineLauncher['start']>[0]): RunningEngine {
    const child = utilityProcess.fork(this.workerPath, [], { serviceName: 'Style Mirror engine' });
    this.child = child;
    child.on('message', (message: unknown) => events.message(message));
    child.on('error', (type, location) => this.log(`fatal error (${type}) at ${location}`));
    child.once('exit', (code) => {
      if (this.child === child) this.child = undefined;
      events.exit(`exit code ${code}`);
    });
    return {
      // Copied, not moved: a utilityProcess's port moves only MessagePorts.
      post: (message) => child.postMessage(message),
      kill: async () => {
        if (this.child === child) this.child = undefined;
        child.kill();
      },
    };
  }

  /**
   * A new frame channel: one end goes to the engine running now, the other is returned for the
   * window. Each page load needs its own, since a page's ports die with it. Undefined while no engine
   * runs: the supervisor's restart event is the moment to ask again.
   */
  openFramePort(): MessagePortMain | undefined {
    if (this.child === undefined) return undefined;
    const { port1, port2 } = new MessageChannelMain();
    this.child.postMessage({ type: ATTACH_FRAME_PORT }, [port1]);
    return port2;
  }
}
