import type { ImportFile } from '../app/style-library.js';

/**
 * Reads what a person gives the page as a style: the files of an `<input type="file">` (a .zip, or a
 * folder's files with `webkitdirectory`), or a folder or .zip dropped on the window. Paths are
 * relative and `/`-separated, the folder's own name first, the way `models:import` takes them.
 */
export async function filesFromInput(list: FileList): Promise<ImportFile[]> {
  return Promise.all(
    Array.from(list, async (file) => ({
      path: file.webkitRelativePath || file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    })),
  );
}

/**
 * The dropped items' files, folders walked. The entries must be taken during the drop event (the
 * browser empties `dataTransfer` after it), so call this synchronously from the handler.
 */
export function filesFromDrop(transfer: DataTransfer): Promise<ImportFile[]> {
  const entries = Array.from(transfer.items, (item) =>
    item.kind === 'file' ? item.webkitGetAsEntry() : null,
  ).filter((entry): entry is FileSystemEntry => entry !== null);
  return Promise.all(entries.map((entry) => readEntry(entry))).then((lists) => lists.flat());
}

async function readEntry(entry: FileSystemEntry): Promise<ImportFile[]> {
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    return [{ path: entry.fullPath.replace(/^\/+/, ''), bytes: new Uint8Array(await file.arrayBuffer()) }];
  }
  if (isDirectory(entry)) {
    const children = await readAllEntries(entry.createReader());
    return (await Promise.all(children.map((child) => readEntry(child)))).flat();
  }
  return [];
}

/** A directory reader hands out its entries in batches until it hands out none. */
async function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

/** Whether a drag carries files from outside the page (not text or a tile being dragged). */
export function dragHasFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && Array.from(transfer.types).includes('Files');
}
