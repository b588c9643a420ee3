import { createInterface } from 'node:readline/promises';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { isHttpUrl } from '../../core/packs/style-pack-schema.js';
import {
  STYLE_PACKS,
  downloadPack,
  findStylePack,
  modelBytes,
  packModelsInLibrary,
  planPackDownload,
  type PackDownloadPlan,
  type PackDownloadResult,
  type StylePack,
} from '../../core/style-packs.js';
// MERGE: from main/core/stylemirror-home.ts and main/core/model-import.ts once they land.
import { importModel, validateWithEngine } from '../../core/model-import.js';
import { stylemirrorPaths } from '../../engine/stylemirror-home.js';

/** What the commands talk to; the process's own by default, a test's elsewhere. */
export interface PackCommandIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

const processIo = (): PackCommandIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

/** `models packs` and `models get`, added to the `models` command group. */
export function registerPackCommands(models: Command): void {
  models
    .command('packs')
    .description('list the style packs you can download, with their licences')
    .action(async () => {
      await listPacksCommand();
    });

  models
    .command('get')
    .description('download a style pack into your model library (shows its licence and asks first)')
    .argument('<packId>', 'the pack, as `stylemirror models packs` lists it')
    .option('--from <url>', "download from this base URL (a mirror) instead of the pack's own", parseBaseUrl)
    .option('-y, --yes', 'accept the licence without asking (needed when stdin is not a terminal)', false)
    .action(async (packId: string, opts: GetPackOptions) => {
      await getPackCommand(packId, opts);
    });
}

/** Prints every pack: id, size, description, licence, and how many of its models you already have. */
export async function listPacksCommand(io: PackCommandIo = processIo()): Promise<void> {
  const { libraryDir } = stylemirrorPaths(io.env);
  for (const pack of STYLE_PACKS) {
    const have = (await packModelsInLibrary(libraryDir, pack.id)).size;
    const bytes = pack.models.reduce((sum, m) => sum + modelBytes(m), 0);
    io.stdout.write(
      `${pack.id}  ${pack.name}: ${pack.models.length} models, ${megabytes(bytes)} MB` +
        (have > 0 ? ` (${have} already in your library)` : '') +
        `\n  ${pack.description}\n  Licence: ${pack.licence.name} <${pack.licence.url}>\n`,
    );
  }
}

export interface GetPackOptions {
  readonly from?: string;
  readonly yes: boolean;
}

/**
 * Shows the pack's licence, asks to accept it (or takes `--yes`), downloads what the library lacks
 * with a progress bar, and says what was added. Ctrl-C stops; the next run resumes.
 *
 * @returns what was added and skipped, or null when nothing was downloaded (declined, or nothing new).
 */
export async function getPackCommand(
  packId: string,
  opts: GetPackOptions,
  io: PackCommandIo = processIo(),
): Promise<PackDownloadResult | null> {
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  const pack = findStylePack(packId);
  const { libraryDir, cacheDir } = stylemirrorPaths(io.env);
  const plan = await planPackDownload(pack, { libraryDir, ...(opts.from ? { baseUrl: opts.from } : {}) });

  if (plan.toDownload.length === 0) {
    say(`All ${pack.models.length} models of ${pack.name} are already in your library (${libraryDir}).`);
    return null;
  }
  say(describePlan(plan));
  if (!(await licenceAccepted(opts, io))) {
    say('Nothing downloaded.');
    return null;
  }

  const controller = new AbortController();
  const stop = (): void => controller.abort(new StoppedByUser());
  process.once('SIGINT', stop);
  const bar = progressBar(io, plan);
  try {
    const result = await downloadPack(pack, {
      libraryDir,
      cacheDir,
      ...(opts.from ? { baseUrl: opts.from } : {}),
      signal: controller.signal,
      importModel,
      validate: validateWithEngine,
      onProgress: (p) =>
        bar?.update(p.bytesDone, {
          done: megabytes(p.bytesDone),
          model: `${nameOf(pack, p.model)}, file ${Math.min(p.filesDone + 1, p.filesTotal)} of ${p.filesTotal}`,
        }),
    });
    bar?.stop();
    say(`Added ${result.added.length} of ${pack.models.length} models to ${libraryDir}:`);
    for (const model of result.added) say(`  ${model.name}  (${model.id})`);
    if (result.skipped.length > 0) say(`Already there: ${result.skipped.map((m) => m.name).join(', ')}.`);
    return result;
  } catch (error) {
    bar?.stop();
    if (error instanceof StoppedByUser) {
      const again = `stylemirror models get ${pack.id}${opts.from ? ` --from ${opts.from}` : ''}`;
      say(`Stopped. Run \`${again}\` again to resume where it stopped.`);
      process.exitCode = 130;
      return null;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
  }
}

class StoppedByUser extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('stopped (Ctrl-C)');
  }
}

/** What will be downloaded, from where, and the licence in full: shown before asking. */
function describePlan(plan: PackDownloadPlan): string {
  const { pack } = plan;
  const names = plan.toDownload.map((m) => m.name).join(', ');
  const already = plan.alreadyInLibrary.length > 0 ? ` (${plan.alreadyInLibrary.length} already there)` : '';
  return [
    `${pack.name}: ${plan.toDownload.length} models${already}, ${megabytes(plan.bytesTotal)} MB from ${plan.baseUrl}`,
    `  ${names}`,
    '',
    `Licence: ${pack.licence.name}`,
    `  ${pack.licence.url}`,
    ...pack.licence.notice.split('\n').map((line) => `  ${line}`),
    '',
  ].join('\n');
}

async function licenceAccepted(opts: GetPackOptions, io: PackCommandIo): Promise<boolean> {
  if (opts.yes) return true;
  if (!io.stdin.isTTY) {
    throw new Error(
      'this pack has a licence to accept, and stdin is not a terminal to ask on: ' +
        'read it above and pass --yes to accept it.',
    );
  }
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await prompt.question('Accept this licence and download? [y/N] ');
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    prompt.close();
  }
}

/** A bar on a terminal; none when stderr is a pipe or file (the summary says what happened). */
function progressBar(io: PackCommandIo, plan: PackDownloadPlan): SingleBar | null {
  if (!io.stderr.isTTY) return null;
  const bar = new SingleBar(
    {
      format: '{bar} {percentage}% | {done} of {total_mb} MB | {model}',
      stream: io.stderr,
      hideCursor: true,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  bar.start(plan.bytesTotal, 0, { done: megabytes(0), total_mb: megabytes(plan.bytesTotal), model: '' });
  return bar;
}

function nameOf(pack: StylePack, folder: string): string {
  return pack.models.find((m) => m.folder === folder)?.name ?? folder;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function parseBaseUrl(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError('expected an http:// or https:// URL.');
  return value;
}
