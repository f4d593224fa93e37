import type { _Error as S3DeleteError } from '@aws-sdk/client-s3';
import { AudioStoreError } from '../../errors.js';
import { useContentMd5 } from './content-md5.js';
import type { S3Context } from './context.js';
import { classifyS3Error } from './errors.js';
import { loadClientS3 } from './sdk.js';

/** DeleteObjects accepts at most this many keys per request. */
export const DELETE_BATCH_SIZE = 1000;
// Failures named in the error message; the rest are counted.
const NAMED_FAILURES = 5;

/**
 * Deletes keys with DeleteObjects, 1000 per request. S3 answers 200 even when some keys failed,
 * listing them in `Errors`; any such failure rejects with the first failed key.
 */
export async function deleteObjects(ctx: S3Context, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const [client, { DeleteObjectsCommand }] = await Promise.all([ctx.client(), loadClientS3()]);
  for (let i = 0; i < keys.length; i += DELETE_BATCH_SIZE) {
    const batch = keys.slice(i, i + DELETE_BATCH_SIZE);
    const command = new DeleteObjectsCommand({
      Bucket: ctx.settings.bucket,
      Delete: { Objects: batch.map((key) => ({ Key: ctx.objectKey(key) })), Quiet: true },
    });
    if (ctx.settings.checksumMode === 'WHEN_REQUIRED') useContentMd5(command);
    const out = await client.send(command);
    // A missing key counts as deleted, as with DeleteObject.
    const failed = (out.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
    if (failed.length > 0) throw batchError(ctx, failed, batch.length);
  }
}

function batchError(ctx: S3Context, failed: S3DeleteError[], batchSize: number): AudioStoreError {
  const strip = ctx.settings.prefix.length;
  const keyOf = (error: S3DeleteError): string => (error.Key ?? '').slice(strip);
  const named = failed
    .slice(0, NAMED_FAILURES)
    .map((error) => `"${keyOf(error)}" (${error.Code ?? 'unknown'}: ${error.Message ?? 'no message'})`);
  const more = failed.length > NAMED_FAILURES ? ` and ${failed.length - NAMED_FAILURES} more` : '';
  const first = failed[0];
  const code = classifyS3Error({ name: first?.Code }) ?? 'BACKEND_ERROR';
  return new AudioStoreError(
    code,
    `S3 could not delete ${failed.length} of ${batchSize} keys: ${named.join(', ')}${more}`,
    first ? { key: keyOf(first) } : {},
  );
}
