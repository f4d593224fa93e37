import type { BackendListEntry, StorageBackend } from '../backend.js';
import { AudioStoreError, isAudioStoreError } from '../errors.js';
import type { Log } from '../log.js';
import type {
  AudioBody,
  AudioInfo,
  AudioObject,
  AudioStore,
  EnvPresence,
  GetOptions,
  PutOptions,
  StoredAudio,
  UrlOptions,
} from '../types.js';
import { ingestBody } from './body.js';
import { chooseContentType } from './formats.js';
import { generateKey, isReserved, normalizeKey, normalizePrefix } from './key.js';
import { validateMetadata } from './metadata.js';
import { mapOrdered } from './pool.js';
import { assertRangeShape } from './range.js';
import { wrapError } from './wrap.js';
import { checkConnection, buildStatus } from './status.js';
import { runSelfTest } from './self-test.js';
import { DEFAULTS } from '../config/variables.js';

/** What the facade needs besides the backend. */
export interface StoreContext {
  backend: StorageBackend;
  maxBytes: number;
  urlExpiresIn: number;
  log: Log;
  secrets: readonly string[];
  s3Configured: boolean;
  env: Record<string, EnvPresence>;
  warnings: readonly string[];
}

const LIST_FILL_CONCURRENCY = 8;
const DELETE_BATCH = 1000;

function urlKind(url: string): string {
  if (url.includes('X-Amz-Signature=')) return 'presigned';
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? 'absolute' : 'relative';
}

function assertExpiresIn(expiresIn: unknown): number {
  if (!Number.isSafeInteger(expiresIn) || (expiresIn as number) < 1 || (expiresIn as number) > DEFAULTS.maxUrlExpiresIn) {
    throw new RangeError(`expiresIn must be an integer from 1 to ${DEFAULTS.maxUrlExpiresIn} seconds`);
  }
  return expiresIn as number;
}

/**
 * The facade over a backend, in the manner of flydrive's Disk: every key goes through the one
 * normalizer, every body through the same checks, every failure through one wrapper.
 */
export function createStore(ctx: StoreContext): AudioStore {
  const { backend, log } = ctx;
  const fail = (err: unknown, op: string, key?: string) => {
    const wrapped = wrapError(err, backend, op, key, ctx.secrets);
    log.debug(`[audio-store] ${op} failed`, { backend: backend.name, key, code: wrapped.code, error: wrapped.message });
    return wrapped;
  };

  async function url(key: string, expiresIn: number): Promise<string> {
    try {
      return await backend.url(key, { expiresIn });
    } catch (err) {
      throw fail(err, 'url', key);
    }
  }

  async function store(body: AudioBody, options: PutOptions, allowReserved: boolean): Promise<StoredAudio> {
    const given = options.key === undefined ? undefined : normalizeKey(options.key, { allowReserved });
    const metadata = validateMetadata(options.metadata, given);
    const ingested = await ingestBody(body, ctx.maxBytes, given);
    const key = given ?? generateKey(ingested.format.ext);
    const contentType = chooseContentType(ingested.format, options.contentType);
    let link: string;
    try {
      // Before the write: a put that rejects must not have stored anything.
      link = await url(key, ctx.urlExpiresIn);
      await backend.put({
        key,
        body: ingested.stream,
        contentType,
        metadata,
        ...(ingested.knownSize === undefined ? {} : { size: ingested.knownSize }),
      });
    } catch (err) {
      ingested.stream.destroy();
      await ingested.release();
      // The body's own failure (TOO_LARGE, a broken source) explains more than the backend's echo of it.
      throw fail(ingested.failure() ?? err, 'put', key);
    }
    const { size, sha256 } = ingested.totals();
    if (sha256 === undefined) {
      await ingested.release();
      // Whatever the backend kept of a body it did not finish reading is not the caller's object.
      await backend.delete(key).catch(() => undefined);
      throw fail(new Error('the backend finished before reading the whole body'), 'put', key);
    }
    log.debug('[audio-store] put', { backend: backend.name, key, size, contentType, url: urlKind(link) });
    return { key, url: link, size, contentType, storageType: backend.name, checksum: { sha256 } };
  }

  async function head(key: string): Promise<AudioInfo> {
    const k = normalizeKey(key);
    try {
      const info = await backend.head(k);
      log.debug('[audio-store] head', { backend: backend.name, key: k, size: info.size });
      return info;
    } catch (err) {
      throw fail(err, 'head', k);
    }
  }

  async function fill(entry: BackendListEntry): Promise<AudioInfo | undefined> {
    if (entry.contentType !== undefined && entry.metadata !== undefined) {
      return { ...entry, contentType: entry.contentType, metadata: entry.metadata };
    }
    try {
      return await backend.head(entry.key);
    } catch (err) {
      const wrapped = fail(err, 'list', entry.key);
      // Deleted between the listing and the look-up: it is simply no longer there.
      if (wrapped.code === 'NOT_FOUND') return undefined;
      throw wrapped;
    }
  }

  async function* visible(prefix: string): AsyncGenerator<BackendListEntry> {
    try {
      for await (const entry of backend.list(prefix)) {
        if (!isReserved(entry.key)) yield entry;
      }
    } catch (err) {
      throw fail(err, 'list', prefix);
    }
  }

  async function removeBatch(keys: string[]): Promise<void> {
    try {
      if (backend.deleteMany) await backend.deleteMany(keys);
      else for (const k of keys) await backend.delete(k);
    } catch (err) {
      throw fail(err, 'deletePrefix', keys[0]);
    }
  }

  return {
    storageType: backend.name,

    put: (body, options = {}) => store(body, options, false),

    async get(key: string, options: GetOptions = {}): Promise<AudioObject> {
      const k = normalizeKey(key);
      if (options.range) assertRangeShape(options.range, k);
      try {
        const got = await backend.get(k, options.range);
        const size = got.range ? got.range.end - got.range.start + 1 : got.size;
        log.debug('[audio-store] get', { backend: backend.name, key: k, size, range: got.range ? `${got.range.start}-${got.range.end}` : undefined });
        return {
          key: k,
          body: got.body,
          size,
          totalSize: got.size,
          contentType: got.contentType,
          ...(got.range ? { range: got.range } : {}),
          ...(got.etag === undefined ? {} : { etag: got.etag }),
          lastModified: got.lastModified,
          metadata: got.metadata,
        };
      } catch (err) {
        throw fail(err, 'get', k);
      }
    },

    head,

    async exists(key: string): Promise<boolean> {
      try {
        await head(key);
        return true;
      } catch (err) {
        if (isAudioStoreError(err, 'NOT_FOUND')) return false;
        throw err;
      }
    },

    async url(key: string, options: UrlOptions = {}): Promise<string> {
      const k = normalizeKey(key);
      const link = await url(k, assertExpiresIn(options.expiresIn ?? ctx.urlExpiresIn));
      log.debug('[audio-store] url', { backend: backend.name, key: k, url: urlKind(link) });
      return link;
    },

    async delete(key: string): Promise<void> {
      const k = normalizeKey(key);
      try {
        await backend.delete(k);
        log.debug('[audio-store] delete', { backend: backend.name, key: k });
      } catch (err) {
        throw fail(err, 'delete', k);
      }
    },

    // An async generator, so that a bad prefix rejects the first step like every other failure.
    async *list(prefix = ''): AsyncGenerator<AudioInfo> {
      const p = normalizePrefix(prefix);
      let count = 0;
      for await (const info of mapOrdered(visible(p), LIST_FILL_CONCURRENCY, fill)) {
        if (info) {
          count++;
          yield info;
        }
      }
      log.debug('[audio-store] list', { backend: backend.name, prefix: p, count });
    },

    async deletePrefix(prefix: string): Promise<number> {
      const p = normalizePrefix(prefix);
      if (p === '') throw new AudioStoreError('INVALID_KEY', 'deletePrefix needs a non-empty prefix; it will not empty the whole store', { key: prefix });
      let count = 0;
      let batch: string[] = [];
      for await (const entry of visible(p)) {
        batch.push(entry.key);
        if (batch.length === DELETE_BATCH) {
          await removeBatch(batch);
          count += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) await removeBatch(batch);
      count += batch.length;
      log.debug('[audio-store] deletePrefix', { backend: backend.name, prefix: p, count });
      return count;
    },

    status: () => buildStatus(ctx, () => checkConnection(ctx)),

    // The canary lives under the reserved prefix, which callers cannot write to.
    selfTest: () => runSelfTest((bytes, key) => store(bytes, { key }, true), ctx),
  };
}
