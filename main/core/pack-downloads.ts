/**
 * "Get more styles": at most one pack download at a time, in the background, with a status the page
 * polls (the contract has no push). Cancelling keeps the partial files, so the next start resumes.
 */
import type { PackInfo, PackStatus } from '../../common/contract.js';
import { importModel, validateWithEngine } from './model-import.js';
import { downloadPack, findStylePack, planPackDownload, STYLE_PACKS } from './style-packs.js';

export interface PackDownloadsOptions {
  readonly libraryDir: string;
  readonly cacheDir: string;
  /** Where the files come from instead of each pack's own address: the operator's choice only (tests, mirrors). */
  readonly baseUrl?: string;
  /** Told when a download ends with new styles in the library. */
  readonly onAdded?: (ids: readonly string[]) => void;
}

const IDLE: PackStatus = { state: 'idle', bytesDone: 0, bytesTotal: 0, added: [] };

export class PackDownloads {
  private status: PackStatus = IDLE;
  private controller: AbortController | undefined;

  constructor(private readonly options: PackDownloadsOptions) {}

  /** Every pack, with how much of it the library already has. */
  async list(): Promise<PackInfo[]> {
    return Promise.all(
      STYLE_PACKS.map(async (pack) => {
        const plan = await planPackDownload(pack, this.planOptions());
        return {
          id: pack.id,
          name: pack.name,
          description: pack.description,
          licence: pack.licence,
          models: pack.models.length,
          inLibrary: plan.alreadyInLibrary.length,
          bytesToDownload: plan.bytesTotal,
        };
      }),
    );
  }

  current(): PackStatus {
    return this.status;
  }

  /** Starts downloading `packId`; returns at once with the status (a run already going is refused). */
  start(packId: string): PackStatus {
    if (this.status.state === 'downloading') {
      throw Object.assign(new Error(`A pack is already downloading (${this.status.packId}).`), {
        code: 'pack-busy',
      });
    }
    const pack = findStylePack(packId);
    const controller = new AbortController();
    this.controller = controller;
    this.status = { state: 'downloading', packId, bytesDone: 0, bytesTotal: 0, added: [] };
    void downloadPack(pack, {
      ...this.planOptions(),
      cacheDir: this.options.cacheDir,
      signal: controller.signal,
      importModel,
      validate: validateWithEngine,
      onProgress: (progress) => {
        this.status = {
          ...this.status,
          bytesDone: progress.bytesDone,
          bytesTotal: progress.bytesTotal,
          model: progress.model,
        };
      },
    }).then(
      (result) => {
        const added = result.added.map((model) => model.id);
        this.status = { ...this.status, state: 'done', added };
        if (added.length > 0) this.options.onAdded?.(added);
      },
      (error: unknown) => {
        const cancelled = controller.signal.aborted;
        const code = (error as { code?: unknown }).code;
        this.status = {
          ...this.status,
          state: cancelled ? 'cancelled' : 'failed',
          ...(cancelled
            ? {}
            : {
                error: {
                  code: typeof code === 'string' ? code : 'download-failed',
                  message: (error as Error).message,
                },
              }),
        };
      },
    );
    return this.status;
  }

  cancel(): PackStatus {
    this.controller?.abort(new Error('Download cancelled.'));
    return this.status;
  }

  private planOptions(): { libraryDir: string; baseUrl?: string } {
    return {
      libraryDir: this.options.libraryDir,
      ...(this.options.baseUrl === undefined ? {} : { baseUrl: this.options.baseUrl }),
    };
  }
}
