import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type MultipartUpload,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, inject } from 'vitest';
import type { RealS3Target } from './s3-global-setup.js';

export type { RealS3Target } from './s3-global-setup.js';

/**
 * The real S3 endpoint the global setup (test/support/s3-global-setup.ts) provided, or `null`
 * when none is configured. Use as `describe.skipIf(!target)`.
 */
export function realS3Target(): RealS3Target | null {
  // Undefined when the file runs under a config without the global setup.
  return inject('realS3') ?? null;
}

/** Like {@link realS3Target}, for code that only runs when the tests are not skipped. */
export function requireRealS3Target(): RealS3Target {
  const target = realS3Target();
  if (!target) throw new Error('No real S3 endpoint: this should have been skipped');
  return target;
}

/** Client options a careful user would write for an S3-compatible store: path-style, WHEN_REQUIRED. */
export function rawClientConfig(target: RealS3Target, overrides: Partial<S3ClientConfig> = {}): S3ClientConfig {
  return {
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  };
}

/** A plain SDK client, outside the library: to set up, inspect and clean up behind its back. */
export function rawClient(target: RealS3Target, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client(rawClientConfig(target, overrides));
}

/** Where one test file keeps its objects. */
export interface TestBucket {
  /** The bucket name. */
  readonly name: string;
  /**
   * `''` in a bucket of its own; a unique `audio-store-test/<file>-<id>/` in a shared bucket
   * (`AUDIO_STORE_TEST_S3_BUCKET`). The store env sets it as `AWS_S3_PREFIX`, so keys passed to the
   * store need no prefix; raw-client calls must add it.
   */
  readonly prefix: string;
  /** A raw client for this bucket's endpoint (path-style, WHEN_REQUIRED). */
  readonly client: S3Client;
  /**
   * The environment a user would set to store voice notes here. Keys in `extra` override;
   * a key set to `undefined` is removed.
   */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  /** Keys of every object in the bucket under `prefix` (the bucket's own prefix added), as stored. */
  listKeys(prefix?: string): Promise<string[]>;
  /** Multipart uploads in progress under `prefix` (the bucket's own prefix added). */
  listUploads(prefix?: string): Promise<MultipartUpload[]>;
}

function bucketNameFor(file: string): string {
  const stem = basename(file).replace(/\.test\.[cm]?[jt]s$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  // 3-63 characters, lowercase letters, digits and hyphens.
  return `ast-${stem.slice(0, 40)}-${id}`.replace(/-+/g, '-');
}

/** The environment variables `createAudioStore()` reads, for `target`. */
export function storeEnv(target: RealS3Target, bucket: string, prefix = '', extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL_S3: target.endpoint,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: target.region,
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    AWS_S3_BUCKET: bucket,
    ...(prefix === '' ? {} : { AWS_S3_PREFIX: prefix }),
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

async function listAll(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function listUploadsUnder(client: S3Client, bucket: string, prefix: string): Promise<MultipartUpload[]> {
  const uploads: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
    uploads.push(...(page.Uploads ?? []));
    if (!page.IsTruncated) return uploads;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

async function inPool<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** Deletes every object and aborts every multipart upload under `prefix`. */
export async function emptyBucket(client: S3Client, bucket: string, prefix = ''): Promise<void> {
  const uploads = await listUploadsUnder(client, bucket, prefix);
  await inPool(uploads, 8, (u) => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })));
  // One DeleteObject per key: DeleteObjects needs Content-MD5 on Ceph, which the plain SDK no longer sends.
  for (let keys = await listAll(client, bucket, prefix); keys.length > 0; keys = await listAll(client, bucket, prefix)) {
    await inPool(keys, 16, (key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }
}

/**
 * Registers hooks that give the calling test file a bucket of its own (created in `beforeAll`,
 * emptied and removed in `afterAll`), or a unique prefix in `AUDIO_STORE_TEST_S3_BUCKET`.
 * Call it inside the file's `describe.skipIf(!target)` block.
 */
export function useTestBucket(target: RealS3Target, file: string): TestBucket {
  const client = rawClient(target);
  const shared = target.bucket;
  const name = shared ?? bucketNameFor(file);
  const prefix = shared === undefined ? '' : `audio-store-test/${bucketNameFor(file)}/`;

  beforeAll(async () => {
    if (shared === undefined) await client.send(new CreateBucketCommand({ Bucket: name }));
  });

  afterAll(async () => {
    try {
      await emptyBucket(client, name, prefix);
      if (shared === undefined) await client.send(new DeleteBucketCommand({ Bucket: name }));
    } finally {
      client.destroy();
    }
  }, 120_000);

  return {
    name,
    prefix,
    client,
    env: (extra = {}) => storeEnv(target, name, prefix, extra),
    listKeys: (p = '') => listAll(client, name, prefix + p),
    listUploads: (p = '') => listUploadsUnder(client, name, prefix + p),
  };
}

/** A logger that keeps every line, for tests that look for leaked secrets. */
export interface CapturingLogger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
  readonly lines: string[];
  /** Resolves once a line matching `pattern` was logged (already, or later). */
  waitFor(pattern: RegExp): Promise<string>;
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const stringify = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return `${value.name}: ${value.message} ${JSON.stringify(value)}`;
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  };
  const say = (level: string) => (message: string, ...rest: unknown[]) => {
    const line = `${level} ${[message, ...rest].map(stringify).join(' ')}`;
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  return {
    debug: say('debug'),
    info: say('info'),
    warn: say('warn'),
    error: say('error'),
    lines,
    waitFor(pattern) {
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}
