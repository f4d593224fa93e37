import type { LocalFileSystem } from './fs-types.js';
import type { Layout } from './layout.js';

/**
 * Removes the folders above `path` that are now empty, up to but not including the root, so that
 * deleting every key under a prefix leaves no empty tree behind. Best effort: it stops at the first
 * folder still in use (ENOTEMPTY), already gone (ENOENT) or not removable; the delete has succeeded
 * either way. A write racing with this recreates its folder (see `moveIntoPlace`).
 */
export async function pruneEmptyParents(fs: LocalFileSystem, layout: Layout, path: string): Promise<void> {
  for (let dir = layout.path.dirname(path); layout.isBelowRoot(dir); dir = layout.path.dirname(dir)) {
    try {
      await fs.promises.rmdir(dir);
    } catch {
      return;
    }
  }
}
