import type { S3Client } from '@aws-sdk/client-s3';
import { AudioStoreError } from '../../errors.js';

/** How the SDK computes and validates request and response checksums. */
export type S3ChecksumMode = 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';

/** Settings for {@link createS3Backend}. The core has already validated `bucket` and `prefix`. */
export interface S3BackendConfig {
  bucket: string;
  region?: string;
  /** An S3-compatible store (MinIO, R2, Ceph). Userinfo in it is dropped, never sent or reported. */
  endpoint?: string;
  /** Defaults to `true` when `endpoint` is set (what MinIO and Ceph need), to the SDK's choice otherwise. */
  forcePathStyle?: boolean;
  /** Absent: the SDK's default chain (environment, profile, IAM role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** An `S3Client` used as is (for example one wrapped by aws-sdk-client-mock); it must have `send`. */
  client?: unknown;
  /** `''` or a string ending in `/`, prepended to every key; `list()` strips it again. */
  prefix: string;
  /** A public or CDN base URL without a trailing slash: `url()` then returns unsigned URLs. */
  publicUrl?: string;
  /** Multipart part size in bytes. Default 8 MiB, at least 5 MiB. */
  partSize?: number;
  /** Parts uploaded at once. Default 4. */
  queueSize?: number;
  /** Default: `WHEN_REQUIRED` when `endpoint` is set, the SDK's default otherwise. */
  checksumMode?: S3ChecksumMode;
}

/** {@link S3BackendConfig} with its defaults applied. */
export interface S3Settings {
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  client?: S3Client;
  publicUrl?: string;
  partSize: number;
  queueSize: number;
  checksumMode?: S3ChecksumMode;
}

const MIB = 1024 * 1024;
/** S3 refuses multipart parts below 5 MiB (all but the last). */
export const MIN_PART_SIZE = 5 * MIB;
/** Default multipart part size: bodies up to this size go up in one PutObject. */
export const DEFAULT_PART_SIZE = 8 * MIB;
/** Default number of parts uploaded at once. */
export const DEFAULT_QUEUE_SIZE = 4;

/** Applies defaults and rejects what would only fail later, inside the SDK. Does no I/O. */
export function resolveS3Settings(config: S3BackendConfig): S3Settings {
  const partSize = config.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new AudioStoreError('NOT_CONFIGURED', `S3 partSize must be an integer of at least ${MIN_PART_SIZE} bytes (5 MiB), got ${String(partSize)}`);
  }
  const queueSize = config.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) {
    throw new AudioStoreError('NOT_CONFIGURED', `S3 queueSize must be an integer of at least 1, got ${String(queueSize)}`);
  }
  const endpoint = config.endpoint === undefined ? undefined : withoutUserinfo(config.endpoint);
  const settings: S3Settings = { bucket: config.bucket, prefix: config.prefix, partSize, queueSize };
  if (config.region !== undefined) settings.region = config.region;
  if (endpoint !== undefined) settings.endpoint = endpoint;
  const forcePathStyle = config.forcePathStyle ?? (endpoint !== undefined ? true : undefined);
  if (forcePathStyle !== undefined) settings.forcePathStyle = forcePathStyle;
  if (config.credentials !== undefined) settings.credentials = config.credentials;
  if (config.client !== undefined) settings.client = asS3Client(config.client);
  if (config.publicUrl !== undefined) settings.publicUrl = config.publicUrl.replace(/\/+$/, '');
  const checksumMode = config.checksumMode ?? (endpoint !== undefined ? 'WHEN_REQUIRED' : undefined);
  if (checksumMode !== undefined) settings.checksumMode = checksumMode;
  return settings;
}

function asS3Client(client: unknown): S3Client {
  const send = typeof client === 'object' && client !== null ? (client as { send?: unknown }).send : undefined;
  if (typeof send !== 'function') {
    throw new AudioStoreError('NOT_CONFIGURED', 'The S3 client option must be an S3Client (an object with a send() method)');
  }
  return client as S3Client;
}

/**
 * `http://user:secret@host` would send the pair as Basic auth next to SigV4 and show it in
 * every status report and presigned URL, so it is removed here, once.
 */
function withoutUserinfo(endpoint: string): string {
  if (!URL.canParse(endpoint)) return endpoint;
  const url = new URL(endpoint);
  if (url.username === '' && url.password === '') return endpoint;
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}
