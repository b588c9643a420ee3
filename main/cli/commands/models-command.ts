/**
 * `stylemirror models list | import | remove | rename`: the same library the app's picker shows
 * (bundled styles, then imported and downloaded ones), kept in STYLEMIRROR_HOME or the user's data folder.
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { ModelInfo } from '../../../common/contract.js';
import type { ModelLibrary } from '../../core/model-library.js';
import { importModel, validateWithEngine } from '../../core/model-import.js';
import { cliModelLibrary } from '../model-library.js';

export interface ModelsCommandIo {
  readonly library: ModelLibrary;
  readonly log: (line: string) => void;
  /** Asks a yes/no question; undefined when nobody can answer (stdin is not a terminal). */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
}

function defaultIo(): ModelsCommandIo {
  return {
    library: cliModelLibrary(),
    log: (line) => console.log(line),
    confirm: process.stdin.isTTY ? askYesNo : undefined,
  };
}

/** Adds the `models` commands to `program`; returns the group, for commands registered elsewhere. */
export function registerModelsCommands(program: Command, io: () => ModelsCommandIo = defaultIo): Command {
  const models = program
    .command('models')
    .description(
      'the style library the app shows: list, import, rename, remove, and packs of styles to download',
    );

  models
    .command('list')
    .description('every style: bundled, imported and downloaded')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (opts: { json: boolean }) => {
      const { library, log } = io();
      const list = await library.list();
      if (opts.json) log(JSON.stringify(list, null, 2));
      else log(formatModelTable(list));
    });

  models
    .command('import')
    .description(
      'add a style to the library: a model folder or a .zip of one (a training run, one folder deep, too)',
    )
    .argument('<folder|zip>', "the style's folder, or a .zip of it")
    .option('--name <name>', 'its name in the picker (default: from the folder or zip name)')
    .action(async (source: string, opts: { name?: string }) => {
      const { library, log } = io();
      const libraryDir = library.libraryDir;
      if (libraryDir === undefined) throw new Error('There is no style library here.');
      const isZip = path.extname(source).toLowerCase() === '.zip';
      const imported = await importModel({
        libraryDir,
        source: { kind: isZip ? 'zip' : 'folder', path: path.resolve(source) },
        validate: validateWithEngine,
        ...(opts.name === undefined ? {} : { name: opts.name }),
      });
      log(`Added "${imported.name}" (${imported.format}) as ${imported.id}.`);
      log(`Paint with it: stylemirror stylize --model ${imported.id} -o out.png photo.jpg`);
    });

  models
    .command('rename')
    .description('give a library style a new name (its id stays)')
    .argument('<id>', 'a model id from `stylemirror models list`')
    .argument('<name>', 'the new name')
    .action(async (id: string, name: string) => {
      const { library, log } = io();
      const renamed = await library.rename(id, name);
      log(`Renamed ${renamed.id} to "${renamed.name}".`);
    });

  models
    .command('remove')
    .description('delete a library style (bundled styles cannot be deleted)')
    .argument('<id>', 'a model id from `stylemirror models list`')
    .option('-y, --yes', 'do not ask for confirmation', false)
    .action(async (id: string, opts: { yes: boolean }) => {
      const { library, log, confirm } = io();
      // Refuses a bundled style before asking anything.
      const { info } = await library.resolveEditable(id);
      if (!opts.yes) {
        if (confirm === undefined) {
          throw new Error(`Not deleting "${info.name}" without confirmation: add --yes to delete it.`);
        }
        if (!(await confirm(`Delete the style "${info.name}" (${info.id}) from the library?`))) {
          log('Nothing deleted.');
          return;
        }
      }
      await library.remove(id);
      log(`Deleted "${info.name}" (${info.id}).`);
    });

  return models;
}

/** One line per model: id, name, where it is from, format, licence. */
export function formatModelTable(models: readonly ModelInfo[]): string {
  if (models.length === 0) return 'No styles.';
  const rows = [
    ['id', 'name', 'source', 'format', 'licence'],
    ...models.map((m) => [m.id, m.name, m.source, m.format, m.licence?.name ?? '']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
