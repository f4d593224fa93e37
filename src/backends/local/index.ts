/**
 * The local disk backend.
 *
 * On-disk layout under the root `<dir>`:
 *
 * ```text
 * <dir>/<key>                                   the object's bytes, exactly; keys map to paths
 * <dir>/.audio-store/                           reserved by the core for its own keys (self-test canaries)
 * <dir>/.audio-store/local/tmp/<uuid>.tmp       writes in progress (data, sidecars, check probes)
 * <dir>/.audio-store/local/meta/<hh>/<sha256(key)>.json
 *                                               sidecar: { key, contentType, metadata, size }
 * ```
 *
 * A write streams into a temp file, flushes it, and renames it over `<dir>/<key>`: readers see the
 * old file or the new one, never a part. Temp files sit on the root's filesystem (so the rename
 * is atomic) in a folder no key can reach and no listing enters. The sidecar is written to its own
 * temp file before, and renamed after, the data; a sidecar whose `size` disagrees with the file is
 * ignored in favour of the extension's type. Temp files older than an hour are swept on the first
 * write of each instance and then at most hourly.
 *
 * @packageDocumentation
 */
import os from 'node:os';
import nodePath from 'node:path';
import * as nodeFs from 'node:fs';
import { Readable } from 'node:stream';
import type {
  BackendGetResult,
  BackendListEntry,
  BackendObjectInfo,
  BackendPutInput,
  BackendRange,
  StorageBackend,
} from '../../backend.js';
import { resolveRange } from '../../core/range.js';
import { AudioStoreError } from '../../errors.js';
import { classifyLocalError } from './classify.js';
import { isAbsent } from './errno.js';
import type { LocalFileHandle, LocalFileSystem, LocalStats } from './fs-types.js';
import { createKeyLock } from './key-lock.js';
import { createLayout, type Layout } from './layout.js';
import { moveIntoPlace } from './move-into-place.js';
import { pruneEmptyParents } from './prune.js';
import { createUrlBuilder } from './public-url.js';
import { encodeSidecar, fileIdentity, readDescription } from './sidecar.js';
import { createTempFiles } from './temp-files.js';
import { walkFiles } from './walk.js';
import { writeNewFile } from './write-file.js';

export type { LocalDirEntry, LocalFileHandle, LocalFileSystem, LocalStats } from './fs-types.js';

/** Settings for {@link createLocalBackend}. */
export interface LocalBackendConfig {
  /** Root directory. Resolved to an absolute path on the real disk; used as given (posix) with `fs`. */
  dir: string;
  /** A `node:fs`-compatible module, e.g. memfs's `createFsFromVolume(vol)`. Default `node:fs`. */
  fs?: LocalFileSystem;
  /** The URL path the app serves the directory at, e.g. `/audio`. */
  publicPath: string;
  /** Origin for absolute URLs, e.g. `https://api.example.com`. URLs are relative without it. */
  baseUrl?: string;
  /** Whether objects outlive the process. Default true. */
  persistent?: boolean;
}

function notFound(key: string, cause?: unknown): AudioStoreError {
  return new AudioStoreError('NOT_FOUND', `No audio at "${key}"`, cause === undefined ? { key } : { key, cause });
}

/** A weak validator from size and mtime, as static file servers make them. */
function weakEtag(size: number, mtime: Date): string {
  return `W/"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
}

function tmpdirWarning(layout: Layout, injected: boolean): string[] {
  if (injected) return [];
  const rel = nodePath.relative(os.tmpdir(), layout.root);
  const inside = rel === '' || (rel.split(nodePath.sep)[0] !== '..' && !nodePath.isAbsolute(rel));
  return inside ? ['The local storage directory is inside the system temp directory, which the OS may empty.'] : [];
}

/**
 * A backend that keeps each object as a file under `config.dir`, with its type and metadata in a
 * JSON sidecar, so that both survive a restart. Creation does no I/O: the directory is made on the
 * first write. Works on `node:fs` and on memfs.
 */
export function createLocalBackend(config: LocalBackendConfig): StorageBackend {
  const injected = config.fs !== undefined;
  const fs: LocalFileSystem = config.fs ?? nodeFs;
  const root = injected ? nodePath.posix.normalize(config.dir).replace(/(.)\/+$/, '$1') : nodePath.resolve(config.dir);
  const layout = createLayout(root, injected ? nodePath.posix : nodePath);
  const temps = createTempFiles(fs, layout);
  const withKeyLock = createKeyLock();
  const urlFor = createUrlBuilder(config.publicPath, config.baseUrl);
  const warnings = tmpdirWarning(layout, injected);

  async function describeFile(key: string, stats: LocalStats): Promise<BackendObjectInfo> {
    const size = Number(stats.size);
    const { contentType, metadata } = await readDescription(fs, layout.sidecarPath(key), key, stats);
    return { key, size, contentType, lastModified: stats.mtime, etag: weakEtag(size, stats.mtime), metadata };
  }

  async function openObject(key: string): Promise<{ handle: LocalFileHandle; stats: LocalStats }> {
    let handle: LocalFileHandle;
    try {
      handle = await fs.promises.open(layout.objectPath(key), 'r');
    } catch (err) {
      if (isAbsent(err)) throw notFound(key, err);
      throw err;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notFound(key);
      return { handle, stats };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  return {
    name: 'local',
    persistent: config.persistent ?? true,

    async put(input: BackendPutInput) {
      const { key } = input;
      const target = layout.objectPath(key);
      const sweep = temps.sweepIfDue();
      const dataTemp = temps.claim();
      const sidecarTemp = temps.claim();
      try {
        await fs.promises.mkdir(layout.tmpDir, { recursive: true });
        const stats = await writeNewFile(fs, dataTemp, input.body);
        const size = Number(stats.size);
        const sidecar = encodeSidecar({ key, contentType: input.contentType, metadata: input.metadata, file: fileIdentity(stats) });
        // Prepared before the data is committed, so that a full disk fails the put, not the sidecar.
        await writeNewFile(fs, sidecarTemp, Readable.from([sidecar]));
        const sidecarPath = layout.sidecarPath(key);
        await fs.promises.mkdir(layout.path.dirname(sidecarPath), { recursive: true });
        await withKeyLock(key, async () => {
          await moveIntoPlace(fs, layout, dataTemp, target, key);
          await fs.promises.rename(sidecarTemp, sidecarPath);
        });
        temps.release(dataTemp);
        temps.release(sidecarTemp);
        return { etag: weakEtag(size, stats.mtime) };
      } catch (err) {
        await Promise.all([temps.discard(dataTemp), temps.discard(sidecarTemp)]);
        throw err;
      } finally {
        await sweep;
      }
    },

    async get(key: string, range?: BackendRange): Promise<BackendGetResult> {
      // One open file for stat and bytes: a concurrent overwrite renames a new file in, but this
      // handle keeps reading the one whose size it reported.
      const { handle, stats } = await openObject(key);
      try {
        const info = await describeFile(key, stats);
        const served = range ? resolveRange(range, info.size, key) : undefined;
        const span = served ?? { start: 0, end: Math.max(info.size - 1, 0) };
        const body = info.size === 0 ? Readable.from([]) : handle.createReadStream(span);
        if (info.size === 0) await handle.close();
        return served ? { ...info, range: served, body } : { ...info, body };
      } catch (err) {
        await handle.close().catch(() => undefined);
        throw err;
      }
    },

    async head(key: string) {
      let stats: LocalStats;
      try {
        stats = await fs.promises.stat(layout.objectPath(key));
      } catch (err) {
        if (isAbsent(err)) throw notFound(key, err);
        throw err;
      }
      if (!stats.isFile()) throw notFound(key);
      return describeFile(key, stats);
    },

    async delete(key: string) {
      const target = layout.objectPath(key);
      await withKeyLock(key, async () => {
        await removeFile(fs, target);
        await removeFile(fs, layout.sidecarPath(key));
      });
      await pruneEmptyParents(fs, layout, target);
    },

    async *list(prefix: string): AsyncIterable<BackendListEntry> {
      for await (const file of walkFiles(fs, layout, prefix)) yield await describeFile(file.key, file.stats);
    },

    async url(key: string) {
      // Checked like any other key: a `..` would climb out of the public path in URL space too.
      layout.objectPath(key);
      return urlFor(key);
    },

    async check() {
      await fs.promises.mkdir(layout.tmpDir, { recursive: true });
      const probe = temps.claim();
      try {
        await writeNewFile(fs, probe, Readable.from([Buffer.from('audio-store write check\n')]));
      } catch (err) {
        await temps.discard(probe);
        throw err;
      }
      temps.release(probe);
      await fs.promises.unlink(probe);
    },

    describe: () => (warnings.length > 0 ? { warnings: [...warnings] } : {}),

    classifyError: classifyLocalError,
  };
}

/** Unlinks a regular file; a missing path or a folder (other keys live under it) is left alone. */
async function removeFile(fs: LocalFileSystem, path: string): Promise<void> {
  try {
    if (!(await fs.promises.stat(path)).isFile()) return;
    await fs.promises.unlink(path);
  } catch (err) {
    if (isAbsent(err)) return;
    throw err;
  }
}
