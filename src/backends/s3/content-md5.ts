import { createHash } from 'node:crypto';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';

/**
 * Makes one DeleteObjects request carry `Content-MD5` instead of the SDK's CRC32 headers.
 * S3 requires an integrity header on DeleteObjects; Ceph RGW and older MinIO accept only
 * Content-MD5 (the workaround in the SDK's supplemental-docs/MD5_FALLBACK.md). It is added to the
 * command, not the client, so that an injected client is left as it is.
 */
export function useContentMd5(command: DeleteObjectsCommand): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const { headers, body } = request;
      if (headers && (typeof body === 'string' || body instanceof Uint8Array)) {
        for (const name of Object.keys(headers)) {
          const lower = name.toLowerCase();
          if (lower.startsWith('x-amz-checksum-') || lower.startsWith('x-amz-sdk-checksum-')) delete headers[name];
        }
        headers['content-md5'] = createHash('md5').update(body).digest('base64');
      }
      return next(args);
    },
    // After the SDK's flexible-checksums middleware (build step, normal priority) and before signing.
    { step: 'build', priority: 'low', name: 'audioStoreContentMd5' },
  );
}
