import type { BackendDescription } from '../../backend.js';
import { AudioStoreError } from '../../errors.js';
import type { S3Settings } from './config.js';
import type { S3Context } from './context.js';
import { httpStatusOf } from './errors.js';
import { loadClientS3 } from './sdk.js';

/**
 * HeadBucket: a real request that proves the endpoint answers, the credentials sign and the
 * bucket exists. HEAD responses carry no error body, so a missing bucket arrives as a bare 404
 * `NotFound`; it is reported here as `NOT_CONFIGURED` naming the bucket, never as a missing object.
 */
export async function checkBucket(ctx: S3Context): Promise<void> {
  const [client, { HeadBucketCommand }] = await Promise.all([ctx.client(), loadClientS3()]);
  const { bucket } = ctx.settings;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const status = httpStatusOf(err);
    const name = (err as { name?: unknown }).name;
    if (status === 404 || name === 'NoSuchBucket') {
      throw new AudioStoreError('NOT_CONFIGURED', `The S3 bucket "${bucket}" does not exist${where(ctx.settings)}`, { cause: err });
    }
    if (status === 301 || name === 'PermanentRedirect') {
      throw new AudioStoreError(
        'NOT_CONFIGURED',
        `The S3 bucket "${bucket}" is not in region "${ctx.settings.region ?? 'default'}"${actualRegion(err)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Where the backend stores objects, for `status()`; the endpoint has no userinfo. */
export function describeS3(settings: S3Settings): BackendDescription {
  const description: BackendDescription = { bucket: settings.bucket };
  if (settings.region !== undefined) description.region = settings.region;
  if (settings.endpoint !== undefined) description.endpoint = settings.endpoint;
  return description;
}

function where(settings: S3Settings): string {
  if (settings.endpoint !== undefined) return ` at ${settings.endpoint}`;
  return settings.region !== undefined ? ` in region "${settings.region}"` : '';
}

// S3 names the bucket's region in a header of the 301 answer.
function actualRegion(err: unknown): string {
  const headers = (err as { $response?: { headers?: Record<string, string | undefined> } }).$response?.headers;
  const region = headers?.['x-amz-bucket-region'];
  return region ? `; it is in "${region}"` : '';
}
