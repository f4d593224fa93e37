import { isAbsent } from './errno.js';
import type { LocalDirEntry, LocalFileSystem, LocalStats } from './fs-types.js';
import type { Layout } from './layout.js';

/** A regular file found by {@link walkFiles}. */
export interface WalkedFile {
  key: string;
  path: string;
  stats: LocalStats;
}

type Kind = 'file' | 'dir' | 'other' | 'unknown';

function describeEntry(entry: LocalDirEntry): { name: string; kind: Kind } {
  if (typeof entry === 'string' || entry instanceof Uint8Array) return { name: String(entry), kind: 'unknown' };
  const kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
  return { name: String(entry.name), kind };
}

async function statIfPresent(fs: LocalFileSystem, path: string): Promise<LocalStats | undefined> {
  try {
    return await fs.promises.stat(path);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

async function* walkDir(
  fs: LocalFileSystem,
  layout: Layout,
  dir: string,
  keyBase: string,
  namePrefix: string,
): AsyncGenerator<WalkedFile> {
  let entries: readonly LocalDirEntry[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (err) {
    // The prefix's folder does not exist, is a file, or was pruned by a concurrent delete.
    if (isAbsent(err)) return;
    throw err;
  }
  const children = entries
    .map(describeEntry)
    .filter((c) => c.name.startsWith(namePrefix) && !layout.isHidden(keyBase, c.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  for (const child of children) {
    const path = layout.path.join(dir, child.name);
    const key = keyBase + child.name;
    if (child.kind === 'dir') {
      yield* walkDir(fs, layout, path, `${key}/`, '');
    } else if (child.kind === 'file' || child.kind === 'unknown') {
      // Deleted since the readdir: no longer there to list.
      const stats = await statIfPresent(fs, path);
      if (stats?.isFile()) yield { key, path, stats };
      else if (stats?.isDirectory() && child.kind === 'unknown') yield* walkDir(fs, layout, path, `${key}/`, '');
    }
    // Symlinks, sockets and the like are not objects this backend wrote.
  }
}

/**
 * Every regular file whose key starts with `prefix`, folder by folder, reading no file contents.
 * The walk starts at the deepest folder the prefix names (`a/b/` for `a/b/c`) and keeps only
 * names starting with the rest (`c`), so `a/a/` never matches `a/aaa/x` while `a/a` does.
 */
export async function* walkFiles(fs: LocalFileSystem, layout: Layout, prefix: string): AsyncGenerator<WalkedFile> {
  const start = layout.listStart(prefix);
  yield* walkDir(fs, layout, start.dir, start.keyBase, start.namePrefix);
}
