import type { StorageBackend } from '../../backend.js';
import { deleteObjects } from './batch-delete.js';
import { checkBucket, describeS3 } from './bucket-check.js';
import { resolveS3Settings, type S3BackendConfig } from './config.js';
import { createS3Context, type S3Context } from './context.js';
import { getObject } from './download.js';
import { classifyS3Error } from './errors.js';
import { listObjects } from './listing.js';
import { headObject } from './object-info.js';
import { objectUrl } from './object-url.js';
import { loadClientS3 } from './sdk.js';
import { putObject } from './upload.js';

/**
 * A backend for AWS S3 or an S3-compatible store (MinIO, R2, Ceph). Synchronous and free of I/O:
 * the AWS SDK is imported, and the client created, on the first operation.
 *
 * Throws `NOT_CONFIGURED` for a part size under 5 MiB, a queue size under 1, or an injected
 * `client` without a `send` method.
 */
export function createS3Backend(config: S3BackendConfig): StorageBackend {
  const settings = resolveS3Settings(config);
  const ctx = createS3Context(settings);
  return {
    name: 's3',
    persistent: true,
    put: (input) => putObject(ctx, input),
    get: (key, range) => getObject(ctx, key, range),
    head: (key) => headObject(ctx, key),
    delete: (key) => deleteObject(ctx, key),
    deleteMany: (keys) => deleteObjects(ctx, keys),
    list: (prefix) => listObjects(ctx, prefix),
    url: (key, options) => objectUrl(ctx, key, options.expiresIn),
    check: () => checkBucket(ctx),
    describe: () => describeS3(settings),
    classifyError: classifyS3Error,
  };
}

// S3 answers 204 for a missing key as for a present one.
async function deleteObject(ctx: S3Context, key: string): Promise<void> {
  const [client, { DeleteObjectCommand }] = await Promise.all([ctx.client(), loadClientS3()]);
  await client.send(new DeleteObjectCommand({ Bucket: ctx.settings.bucket, Key: ctx.objectKey(key) }));
}
