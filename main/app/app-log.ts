/**
 * The app's log: electron-log's main-process logger, configured like serve's (core/log.ts), in the
 * app's logs folder, or STYLEMIRROR_HOME's `logs` when that is set (a stick's mirror keeps its logs).
 */
import path from 'node:path';
import electronLog from 'electron-log/main';
import { app } from 'electron';
import { configureLog, type Logs } from '../core/log.js';
import { stylemirrorPaths } from '../engine/stylemirror-home.js';

/** Opens `main.log`; call once, after the user-data folder is settled (it decides the logs folder). */
export function openAppLog(): Logs {
  const { home, logsDir } = stylemirrorPaths();
  return configureLog(electronLog, {
    file: path.join(home === undefined ? app.getPath('logs') : logsDir, 'main.log'),
  });
}
