import type { HeadObjectOutput } from '@aws-sdk/client-s3';
import type { BackendObjectInfo } from '../../backend.js';
import { AudioStoreError } from '../../errors.js';
import type { S3Context } from './context.js';
import { classifyS3Error } from './errors.js';
import { decodeMetadata } from './metadata.js';
import { loadClientS3 } from './sdk.js';

/** The fields HeadObject and GetObject both return. */
export type ObjectHeaders = Pick<HeadObjectOutput, 'ContentType' | 'LastModified' | 'ETag' | 'Metadata'>;

/** Describes an object from its response headers; `size` is passed in because ranges change it. */
export function objectInfo(key: string, size: number, headers: ObjectHeaders): BackendObjectInfo {
  const info: BackendObjectInfo = {
    key,
    size,
    contentType: headers.ContentType ?? 'application/octet-stream',
    lastModified: headers.LastModified ?? new Date(0),
    metadata: decodeMetadata(headers.Metadata),
  };
  if (headers.ETag) info.etag = headers.ETag;
  return info;
}

/** HeadObject. Throws `NOT_FOUND` when S3 answers 404. */
export async function headObject(ctx: S3Context, key: string): Promise<BackendObjectInfo> {
  const [client, { HeadObjectCommand }] = await Promise.all([ctx.client(), loadClientS3()]);
  try {
    const out = await client.send(new HeadObjectCommand({ Bucket: ctx.settings.bucket, Key: ctx.objectKey(key) }));
    return objectInfo(key, out.ContentLength ?? 0, out);
  } catch (err) {
    throw notFoundOr(err, key);
  }
}

/** Turns a 404 into `NOT_FOUND` for the key; returns anything else unchanged, for the core to wrap. */
export function notFoundOr(err: unknown, key: string): unknown {
  return classifyS3Error(err) === 'NOT_FOUND'
    ? new AudioStoreError('NOT_FOUND', `No audio at "${key}"`, { key, cause: err })
    : err;
}
