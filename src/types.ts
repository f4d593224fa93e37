import type { Readable } from 'node:stream';
import type { AudioStoreErrorCode } from './errors.js';
import type { StorageBackend } from './backend.js';

/** Anything `put` accepts as a body. Streams are consumed once and never buffered whole. */
export type AudioBody =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** User metadata: names are kept with their case on every backend. */
export type AudioMetadata = Record<string, string>;

/** Options for {@link AudioStore.put}. */
export interface PutOptions {
  /** Where to store it. Without a key one is generated: `YYYY/MM/DD/<uuid>.<ext>`. */
  key?: string;
  /** The declared type. Kept when it agrees with the sniffed bytes, replaced when it does not. */
  contentType?: string;
  /** Stored with the object and returned by `get`, `head` and `list`. */
  metadata?: AudioMetadata;
}

/** What `put` returns. */
export interface StoredAudio {
  key: string;
  /** The URL `url(key)` would return right now (presigned for a private S3 bucket). */
  url: string;
  size: number;
  contentType: string;
  storageType: string;
  /** Computed while the body streamed through; hex. */
  checksum: { sha256: string };
}

/** An inclusive byte range, as in HTTP. `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** Options for {@link AudioStore.get}. */
export interface GetOptions {
  range?: ByteRange;
}

/** An object's description, without its body. */
export interface AudioInfo {
  key: string;
  size: number;
  contentType: string;
  lastModified: Date;
  etag?: string;
  metadata: AudioMetadata;
}

/** What `get` returns. `body` is a stream: read it, or destroy it, to free the connection. */
export interface AudioObject {
  key: string;
  body: Readable;
  /** Bytes in `body`. */
  size: number;
  /** Bytes in the whole object. */
  totalSize: number;
  contentType: string;
  /** The inclusive range served, when one was asked for. */
  range?: { start: number; end: number };
  etag?: string;
  lastModified?: Date;
  metadata: AudioMetadata;
}

/** Options for {@link AudioStore.url}. */
export interface UrlOptions {
  /** Seconds a presigned URL stays valid (1 to 604800). Ignored by public and local URLs. */
  expiresIn?: number;
}

/** `'set'` or `'missing'`: status never reports a value. */
export type EnvPresence = 'set' | 'missing';

/** A failure as reported in status and self-test results. */
export interface ReportedError {
  code: AudioStoreErrorCode;
  message: string;
}

/** What `status()` returns. Contains no secret, and is safe to serve from a health endpoint. */
export interface StorageStatus {
  storageType: string;
  s3Configured: boolean;
  /**
   * False when objects are lost with the process (memory). Local disk reports true: whether the
   * disk itself outlives a deploy is up to the host, which is what the production warning is for.
   */
  persistent: boolean;
  env: Record<string, EnvPresence>;
  connection: { ok: boolean; latencyMs: number; error?: ReportedError };
  bucket?: string;
  region?: string;
  endpoint?: string;
  warnings: string[];
}

/** One step of {@link AudioStore.selfTest}. */
export interface SelfTestStep {
  name: 'put' | 'get' | 'range' | 'url' | 'delete' | 'confirm-deleted';
  ok: boolean;
  ms: number;
  error?: ReportedError;
}

/** What `selfTest()` returns. */
export interface SelfTestResult {
  ok: boolean;
  storageType: string;
  steps: SelfTestStep[];
}

/** The store. Create one with `createAudioStore()`. Every method validates its key first. */
export interface AudioStore {
  /** `'s3'`, `'local'`, `'memory'`, or the name a custom backend gives itself. */
  readonly storageType: 's3' | 'local' | 'memory' | (string & {});
  /** Stores a body after checking that it is non-empty, within `maxBytes` and audio. */
  put(body: AudioBody, options?: PutOptions): Promise<StoredAudio>;
  /** Opens an object, or a byte range of it, as a stream. Throws `NOT_FOUND` or `INVALID_RANGE`. */
  get(key: string, options?: GetOptions): Promise<AudioObject>;
  /** Describes an object. Throws `NOT_FOUND`. */
  head(key: string): Promise<AudioInfo>;
  /** True when an object exists at the key. */
  exists(key: string): Promise<boolean>;
  /** A URL a browser can play: presigned (private S3), public (CDN or `AWS_S3_PUBLIC_URL`) or local. */
  url(key: string, options?: UrlOptions): Promise<string>;
  /** Removes an object. Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, across all pages. Order is not specified. */
  list(prefix?: string): AsyncIterable<AudioInfo>;
  /** Removes every object whose key starts with `prefix` (non-empty); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Configuration and a live connection check. Never throws. */
  status(): Promise<StorageStatus>;
  /** A real round trip with a canary object. Never throws, never leaves the canary behind. */
  selfTest(): Promise<SelfTestResult>;
}

/** A logger; `console` fits. */
export interface AudioStoreLogger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

/** S3 settings. Each falls back to its environment variable. */
export interface S3Options {
  bucket?: string;
  region?: string;
  /** For S3-compatible stores (MinIO, R2, Ceph, Backblaze). */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** An `S3Client` to use as is (for example one wrapped by aws-sdk-client-mock). */
  client?: unknown;
  /** Prepended to every key in the bucket, e.g. `voice/`. */
  prefix?: string;
  /** A public or CDN base URL: `url()` then returns `publicUrl + '/' + key`, unsigned. */
  publicUrl?: string;
  /** Multipart part size in bytes (at least 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
}

/** The parts of a `stat` result the local backend reads. memfs types its numbers as `number | bigint`. */
export interface LocalStats {
  size: number | bigint;
  ino: number | bigint;
  mtime: Date;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** The parts of a `fs.promises` file handle the local backend uses. */
export interface LocalFileHandle {
  stat(): Promise<LocalStats>;
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
  createReadStream(options: { start: number; end: number }): Readable;
}

/** A directory entry as `readdir(..., { withFileTypes: true })` returns it; memfs may use Buffer names. */
export type LocalDirEntry = string | Buffer | { name: string | Buffer; isFile(): boolean; isDirectory(): boolean };

/**
 * The subset of `node:fs` the local backend uses. `node:fs` and memfs's `createFsFromVolume(vol)`
 * are both assignable to it without a cast.
 */
export interface LocalFs {
  promises: {
    open(path: string, flags: 'r' | 'wx'): Promise<LocalFileHandle>;
    stat(path: string): Promise<LocalStats>;
    readFile(path: string, encoding: 'utf8'): Promise<string | Buffer>;
    readdir(path: string, options: { withFileTypes: true }): Promise<readonly LocalDirEntry[]>;
    mkdir(path: string, options: { recursive: true }): Promise<unknown>;
    rename(from: string, to: string): Promise<void>;
    unlink(path: string): Promise<void>;
    rmdir(path: string): Promise<void>;
  };
}

/** Local disk settings. Each falls back to its environment variable. */
export interface LocalOptions {
  /** Root directory. Default `./uploads`. */
  dir?: string;
  /** A `node:fs`-compatible module, e.g. a memfs volume. */
  fs?: LocalFs;
  /** The path your server serves the directory at. Default `/audio`. */
  publicPath?: string;
  /** Origin for absolute URLs, e.g. `https://api.example.com`. Relative URLs without it. */
  baseUrl?: string;
}

/** Options for `createAudioStore()`. Options given here win over the environment. */
export interface AudioStoreOptions {
  /** The environment to read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Which backend; `'auto'` (default) picks S3 when a bucket is configured, else local. */
  backend?: 'auto' | 's3' | 'local' | 'memory' | StorageBackend;
  s3?: S3Options;
  local?: LocalOptions;
  /** Largest accepted body in bytes. Default 25 MiB. */
  maxBytes?: number;
  /** Default lifetime of presigned URLs in seconds. Default 3600. */
  urlExpiresIn?: number;
  /** Where log lines go; `false` silences them. Default `console`. */
  logger?: AudioStoreLogger | false;
  /** Log each operation at debug level. Default: `AUDIO_STORE_DEBUG=1` or `NODE_ENV=development`. */
  debug?: boolean;
  /** Test the connection in the background after creation and log the result. Default: on for S3. */
  startupCheck?: boolean;
}
