import type { Readable } from 'node:stream';
import type { AudioStoreErrorCode } from './errors.js';
import type { AudioInfo, AudioMetadata } from './types.js';

/**
 * What the core hands a backend to store. The key is already normalized, the body already
 * sniffed, size-limited and hashed by the core: a backend only moves bytes.
 */
export interface BackendPutInput {
  key: string;
  /**
   * The body. It errors (with a `TOO_LARGE` AudioStoreError) when the caller's body runs past
   * `maxBytes`; the backend must then leave nothing at the key and keep any earlier object intact.
   */
  body: Readable;
  contentType: string;
  metadata: AudioMetadata;
  /** The byte length, when known before streaming (buffers and Blobs). */
  size?: number;
}

/** A stored object as a backend describes it: the same shape callers get from `head`. */
export type BackendObjectInfo = AudioInfo;

/** A listing entry. Backends whose listings lack type or metadata (S3) leave them out; the core fills them in. */
export interface BackendListEntry {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
  contentType?: string;
  metadata?: AudioMetadata;
}

/** An inclusive byte range that the core has checked against nothing but itself. */
export interface BackendRange {
  start: number;
  /** Inclusive; undefined means to the end. */
  end?: number;
}

/** What a backend returns from `get`. */
export interface BackendGetResult extends BackendObjectInfo {
  body: Readable;
  /** The inclusive range served, when one was asked for. `size` is then the whole object's size. */
  range?: { start: number; end: number };
}

/** Where the backend stores things, for `status()`. Never include a secret. */
export interface BackendDescription {
  bucket?: string;
  region?: string;
  endpoint?: string;
  /** Extra warnings for `status()`. */
  warnings?: string[];
}

/**
 * A storage driver. Drivers only do I/O: the core normalizes keys, validates bodies, wraps errors
 * and logs. Run `runBackendConformance()` from `audio-store/testing` against your own.
 *
 * Errors: throw an `AudioStoreError` when you know the code (`NOT_FOUND` from `get`/`head`,
 * `INVALID_RANGE` from `get`), or let native errors through and implement `classifyError`.
 */
export interface StorageBackend {
  /** Reported as `storageType`. */
  readonly name: string;
  /** False when objects do not survive a restart. */
  readonly persistent: boolean;
  put(input: BackendPutInput): Promise<{ etag?: string }>;
  /** Throws `NOT_FOUND`; throws `INVALID_RANGE` when `range.start` is not below the size. */
  get(key: string, range?: BackendRange): Promise<BackendGetResult>;
  /** Throws `NOT_FOUND`. */
  head(key: string): Promise<BackendObjectInfo>;
  /** Succeeds when the key is missing. */
  delete(key: string): Promise<void>;
  /** Removes many keys at once; optional, the core falls back to `delete`. */
  deleteMany?(keys: string[]): Promise<void>;
  /** Every key starting with `prefix` (a plain string prefix), across all pages. */
  list(prefix: string): AsyncIterable<BackendListEntry>;
  url(key: string, options: { expiresIn: number }): Promise<string>;
  /** A cheap, real check that the storage is reachable and usable; throws when it is not. */
  check(): Promise<void>;
  describe?(): BackendDescription;
  /** Maps a native error to a code; the core wraps it with the key and keeps it as `cause`. */
  classifyError?(err: unknown): AudioStoreErrorCode | undefined;
}
