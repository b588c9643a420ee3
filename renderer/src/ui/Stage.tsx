import { useCallback, useEffect, useRef, type CSSProperties } from 'react';
import { useCamera } from '../camera/use-camera.js';
import { realTimers } from '../lib/timers.js';
import { FramePump } from '../mirror/frame-pump.js';
import { StallWatchdog } from '../mirror/stall-watchdog.js';
import { mirrorStore } from '../store/mirror-store.js';
import {
  selectCameraHealth,
  selectCameraRetries,
  selectClosed,
  selectEngineHealth,
  selectHasPicture,
  selectSettings,
} from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';
import { useServices } from './app-context.js';
import { toggleFullscreen } from './page-actions.js';

/**
 * The picture: the stylized canvas, scaled to fill the window with its aspect ratio kept. The camera's
 * video element is only the frames' source; until a style paints, the canvas shows the camera itself
 * (the frame pump draws it), so the wall is never blank.
 */
export function Stage() {
  const { controller, surfaces } = useServices();
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const pumpRef = useRef<FramePump | null>(null);
  const settings = useMirror(selectSettings);
  const retries = useMirror(selectCameraRetries);
  const hasPicture = useMirror(selectHasPicture);
  const closed = useMirror(selectClosed);
  const onFallback = useCallback(
    (message: string) => controller.notifier.toast('info', message),
    [controller],
  );

  const cameraHealth = useMirror(selectCameraHealth);
  const engineHealth = useMirror(selectEngineHealth);
  const camera = useCamera(videoRef, settings?.camera ?? null, mirrorStore, retries, onFallback);

  useEffect(() => {
    const video = videoRef.current;
    const display = canvasRef.current;
    if (video === null || display === null) return;
    const detach = surfaces.attach(video, display);
    const pump = new FramePump({
      api: controller.api,
      store: mirrorStore,
      video,
      display,
      onEngineTrouble: () => void controller.engineTrouble(),
    });
    pumpRef.current = pump;
    pump.start();
    const watchdog = new StallWatchdog({
      progress: () => pump.progress,
      framesDue: () => {
        const { recovery, currentModelId, pendingModelId } = mirrorStore.getState();
        return (
          recovery.camera === 'live' &&
          recovery.engine === 'ok' &&
          currentModelId !== null &&
          pendingModelId === null &&
          !pump.resting &&
          document.visibilityState === 'visible'
        );
      },
      restartCamera: () => camera.current?.reconnect(),
      abandonEngineCalls: () => pump.abandonEngineCalls(),
      restarted: (stage) => mirrorStore.getState().countStallRestart(stage),
      timers: realTimers,
      now: () => performance.now(),
    });
    watchdog.start();
    return () => {
      watchdog.stop();
      pump.stop();
      pumpRef.current = null;
      detach();
    };
  }, [controller, surfaces, camera]);

  const width = settings?.processingSize.width ?? 256;
  const height = settings?.processingSize.height ?? 192;
  useEffect(() => pumpRef.current?.resizeDisplay({ width, height }), [width, height]);

  const pictureStyle = { '--aspect': width / height } as CSSProperties;
  // A picture that is not live any more stays, dimmed, under its recovery card: never passed off as live.
  const stale = engineHealth === 'recovering' || cameraHealth === 'lost';
  return (
    <div className="stage" onDoubleClick={toggleFullscreen} data-closed={closed ?? undefined}>
      <div
        className={`picture${stale ? ' stale' : ''}${closed === null ? '' : ` closed-${closed}`}`}
        style={pictureStyle}
      >
        <video ref={videoRef} className="camera-source" muted playsInline aria-hidden="true" />
        <canvas
          ref={canvasRef}
          className="stylized"
          data-testid="stylized-canvas"
          width={width}
          height={height}
          aria-label="The stylized camera picture"
        />
        {settings?.splitView === true && hasPicture && <div className="split-divider" aria-hidden="true" />}
      </div>
    </div>
  );
}
