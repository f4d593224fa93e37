import { encodeKeyPath } from '../../core/key.js';
import type { S3Context } from './context.js';
import { loadClientS3, loadPresigner } from './sdk.js';

/**
 * With `publicUrl`, the public URL of the object (unsigned, no SDK loaded); otherwise a
 * presigned GetObject URL valid for `expiresIn` seconds.
 */
export async function objectUrl(ctx: S3Context, key: string, expiresIn: number): Promise<string> {
  const objectKey = ctx.objectKey(key);
  const { publicUrl } = ctx.settings;
  if (publicUrl !== undefined) return `${publicUrl}/${encodeKeyPath(objectKey)}`;
  const [client, { GetObjectCommand }, { getSignedUrl }] = await Promise.all([ctx.client(), loadClientS3(), loadPresigner()]);
  return getSignedUrl(client, new GetObjectCommand({ Bucket: ctx.settings.bucket, Key: objectKey }), { expiresIn });
}
