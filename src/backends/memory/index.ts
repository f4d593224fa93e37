import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  BackendGetResult,
  BackendListEntry,
  BackendObjectInfo,
  BackendPutInput,
  BackendRange,
  StorageBackend,
} from '../../backend.js';
import { AudioStoreError } from '../../errors.js';
import { encodeKeyPath } from '../../core/key.js';
import { resolveRange } from '../../core/range.js';

interface MemoryObject {
  bytes: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
  etag: string;
}

/** Options for {@link createMemoryBackend}. */
export interface MemoryBackendOptions {
  /** Base for `url()`. Default `memory://audio-store`. */
  baseUrl?: string;
}

/**
 * A complete backend held in memory, for test suites. Objects are lost with the process,
 * so it reports `persistent: false`.
 */
export function createMemoryBackend(options: MemoryBackendOptions = {}): StorageBackend {
  const objects = new Map<string, MemoryObject>();
  const baseUrl = (options.baseUrl ?? 'memory://audio-store').replace(/\/+$/, '');

  function find(key: string): MemoryObject {
    const found = objects.get(key);
    if (!found) throw new AudioStoreError('NOT_FOUND', `No audio at "${key}"`, { key });
    return found;
  }

  function info(key: string, o: MemoryObject): BackendObjectInfo {
    return {
      key,
      size: o.bytes.length,
      contentType: o.contentType,
      lastModified: o.lastModified,
      etag: o.etag,
      metadata: { ...o.metadata },
    };
  }

  return {
    name: 'memory',
    persistent: false,

    async put(input: BackendPutInput) {
      const chunks: Buffer[] = [];
      for await (const chunk of input.body) chunks.push(Buffer.from(chunk as Uint8Array));
      // Only a fully received body replaces the old one, as on S3.
      const bytes = Buffer.concat(chunks);
      const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
      objects.set(input.key, {
        bytes,
        contentType: input.contentType,
        metadata: { ...input.metadata },
        lastModified: new Date(),
        etag,
      });
      return { etag };
    },

    async get(key: string, range?: BackendRange): Promise<BackendGetResult> {
      const o = find(key);
      const base = info(key, o);
      if (!range) return { ...base, body: Readable.from([o.bytes]) };
      const served = resolveRange(range, o.bytes.length, key);
      return { ...base, range: served, body: Readable.from([o.bytes.subarray(served.start, served.end + 1)]) };
    },

    async head(key: string) {
      return info(key, find(key));
    },

    async delete(key: string) {
      objects.delete(key);
    },

    async *list(prefix: string): AsyncIterable<BackendListEntry> {
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      for (const key of keys) {
        const o = objects.get(key);
        if (o) yield info(key, o);
      }
    },

    async url(key: string) {
      return `${baseUrl}/${encodeKeyPath(key)}`;
    },

    async check() {},
  };
}
