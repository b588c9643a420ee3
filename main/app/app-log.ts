/**
 * The app's log: electron-log's main-process logger, configured like serve's (core/log.ts), in the
 * app's logs folder, or STYLEMIRROR_HOME's `logs` when that is set (a stick's mirror keeps its logs).
 */
import path from 'node:path';
import electronLog from 'electron-log/main';
import { app, ipcMain } from 'electron';
import { configureLog, type Logs } from '../core/log.js';
import { stylemirrorPaths } from '../engine/stylemirror-home.js';

/**
 * electron-log/main answers log calls from pages on this channel as it loads, checking no sender.
 * This app's pages never log through it (the preload exposes no such call): the channel is closed, so
 * every IPC channel main answers is one of the contract's, sender-checked (ipc.ts).
 */
export const ELECTRON_LOG_CHANNEL = '__ELECTRON_LOG__';

/** Opens `main.log`; call once, after the user-data folder is settled (it decides the logs folder). */
export function openAppLog(): Logs {
  ipcMain.removeHandler(ELECTRON_LOG_CHANNEL);
  ipcMain.removeAllListeners(ELECTRON_LOG_CHANNEL);
  const { home, logsDir } = stylemirrorPaths();
  return configureLog(electronLog, {
    file: path.join(home === undefined ? app.getPath('logs') : logsDir, 'main.log'),
  });
}
