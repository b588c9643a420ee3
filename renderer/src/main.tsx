import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMirrorApi } from './api/create-mirror-api.js';
import { MirrorController } from './app/mirror-controller.js';
import { KioskGate, kioskRequestedBy } from './kiosk/kiosk-gate.js';
import { FrameCapture } from './mirror/frame-capture.js';
import { mirrorStore } from './store/mirror-store.js';
import { App } from './ui/App.js';
import { Surfaces, type AppServices } from './ui/app-context.js';
import { takeSnapshot } from './ui/page-actions.js';
import { ThumbnailCache } from './ui/thumbnail-cache.js';
import { THUMBNAIL_SIZE, thumbnailRenderer } from './ui/thumbnail-renderer.js';
import './styles.css';

const api = createMirrorApi();
const controller = new MirrorController(api, mirrorStore);
const surfaces = new Surfaces();
const thumbnailCapture = new FrameCapture();
const thumbnails = new ThumbnailCache(
  thumbnailRenderer(api, () => {
    const video = surfaces.video;
    const image =
      video === null
        ? null
        : thumbnailCapture.capture(video, THUMBNAIL_SIZE, mirrorStore.getState().settings?.mirror ?? true);
    return image === null
      ? null
      : { data: image.data, width: image.width, height: image.height, channels: 4 };
  }),
);
// `?kiosk=1` (browser mode's switch, and the app's `--kiosk`) is for this page only: nothing is saved.
mirrorStore.getState().setKioskRequested(kioskRequestedBy(window.location.search));
const kiosk = new KioskGate(mirrorStore, (patch) => controller.changeSettings(patch));
const services: AppServices = { controller, surfaces, thumbnails, kiosk };

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element for the mirror.');
createRoot(root).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);
void controller.start();
// The remote control's verbs reach the page here; snapshots need the display canvas.
controller.connectRemote({ snapshot: () => takeSnapshot(services) });
