import { isAbsent } from './errno.js';
import type { LocalDirEntry, LocalFileSystem } from './fs-types.js';
import type { Layout } from './layout.js';

/**
 * A temp file this old is the leftover of a write that crashed or was killed. A live write keeps
 * its file's mtime fresh with every chunk, so only a body stalled for this long could be mistaken
 * for one, and writes of this process are never touched whatever their age.
 */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** The temp files of one backend instance. */
export interface TempFiles {
  /** A fresh temp path, protected from sweeping until released. */
  claim(): string;
  /** Stops protecting a temp path that was renamed into place. */
  release(path: string): void;
  /** Removes a temp path, ignoring any failure, and stops protecting it. */
  discard(path: string): Promise<void>;
  /** Sweeps stale temp files if no sweep ran in the last {@link STALE_TEMP_AGE_MS}; never rejects. */
  sweepIfDue(): Promise<void>;
}

function entryName(entry: LocalDirEntry): string {
  return typeof entry === 'string' || entry instanceof Uint8Array ? String(entry) : String(entry.name);
}

/** Tracks this instance's temp files and sweeps stale ones, opportunistically, from writes. */
export function createTempFiles(fs: LocalFileSystem, layout: Layout): TempFiles {
  const inFlight = new Set<string>();
  let lastSweep = Number.NEGATIVE_INFINITY;

  async function sweep(now: number): Promise<void> {
    let entries: readonly LocalDirEntry[];
    try {
      entries = await fs.promises.readdir(layout.tmpDir, { withFileTypes: true });
    } catch (err) {
      if (isAbsent(err)) return;
      throw err;
    }
    for (const entry of entries) {
      const path = layout.path.join(layout.tmpDir, entryName(entry));
      if (inFlight.has(path)) continue;
      try {
        const stats = await fs.promises.stat(path);
        if (stats.isFile() && now - stats.mtime.getTime() >= STALE_TEMP_AGE_MS) await fs.promises.unlink(path);
      } catch {
        // Gone already, or not ours to remove: housekeeping never fails a write.
      }
    }
  }

  return {
    claim() {
      const path = layout.newTempPath();
      inFlight.add(path);
      return path;
    },
    release(path) {
      inFlight.delete(path);
    },
    async discard(path) {
      try {
        await fs.promises.unlink(path);
      } catch {
        // Never created, or already renamed into place.
      } finally {
        inFlight.delete(path);
      }
    },
    sweepIfDue() {
      const now = Date.now();
      if (now - lastSweep < STALE_TEMP_AGE_MS) return Promise.resolve();
      lastSweep = now;
      return sweep(now).catch(() => undefined);
    },
  };
}
