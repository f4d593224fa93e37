import type { BackendPutInput } from '../../backend.js';
import type { S3Context } from './context.js';
import { encodeMetadata } from './metadata.js';
import { loadLibStorage } from './sdk.js';

/**
 * Streams the body with lib-storage's Upload: one PutObject up to `partSize` bytes, a multipart
 * upload above. Nothing is written before the body ends, so when the body errors (the core
 * destroys it with `TOO_LARGE`) no PutObject or CompleteMultipartUpload is sent, the multipart
 * upload is aborted (`leavePartsOnError: false`) and any earlier object at the key stays.
 *
 * Returns S3's ETag, or no ETag when the store sent an empty one (Ceph RGW does on multipart).
 */
export async function putObject(ctx: S3Context, input: BackendPutInput): Promise<{ etag?: string }> {
  const { body } = input;
  try {
    const Metadata = encodeMetadata(input.metadata, input.key);
    const [client, { Upload }] = await Promise.all([ctx.client(), loadLibStorage()]);
    const upload = new Upload({
      client,
      // No ContentLength: lib-storage measures every part it buffers, and a declared size that
      // disagreed with the bytes would become a wrong Content-Length header on PutObject.
      params: {
        Bucket: ctx.settings.bucket,
        Key: ctx.objectKey(input.key),
        Body: body,
        ContentType: input.contentType,
        Metadata,
      },
      partSize: ctx.settings.partSize,
      queueSize: ctx.settings.queueSize,
      leavePartsOnError: false,
    });
    const result = await upload.done();
    return result.ETag ? { etag: result.ETag } : {};
  } catch (err) {
    // Whatever stopped the upload, nobody reads the body any more: release its source.
    if (!body.destroyed) body.destroy();
    throw err;
  }
}
