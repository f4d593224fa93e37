import { AudioStoreError } from '../../errors.js';
import { errnoCode } from './errno.js';
import type { LocalFileSystem } from './fs-types.js';
import type { Layout } from './layout.js';
import { pruneEmptyParents } from './prune.js';

// A concurrent delete may prune the target's folder between our mkdir and our rename.
const ATTEMPTS = 3;

function keyConflict(key: string, cause: unknown): AudioStoreError {
  return new AudioStoreError(
    'INVALID_KEY',
    `Cannot store "${key}" on local disk: a folder in its path is already an object, or the key is already a folder of other objects (a file and a folder cannot share a name)`,
    { key, cause },
  );
}

// Checked, not left to rename: POSIX refuses with EISDIR, but memfs silently replaces the folder
// and every object under it.
async function refuseDirectory(fs: LocalFileSystem, target: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.promises.stat(target)).isDirectory();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (isDirectory) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, rename to '${target}'`), { code: 'EISDIR' });
}

/**
 * Renames a finished temp file to `target`, creating its folders, atomically replacing any earlier
 * object. Throws `INVALID_KEY` when the key collides with the folder structure of other keys.
 */
export async function moveIntoPlace(
  fs: LocalFileSystem,
  layout: Layout,
  from: string,
  target: string,
  key: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fs.promises.mkdir(layout.path.dirname(target), { recursive: true });
      await refuseDirectory(fs, target);
      await fs.promises.rename(from, target);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' && attempt < ATTEMPTS) continue;
      await pruneEmptyParents(fs, layout, target);
      // mkdir says EEXIST or ENOTDIR when a folder of the path is a file; rename says EISDIR.
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw keyConflict(key, err);
      if (code === 'ENOENT') {
        throw new AudioStoreError('BACKEND_ERROR', `Could not move "${key}" into place: its temp file or folder kept disappearing`, { key, cause: err });
      }
      throw err;
    }
  }
}
