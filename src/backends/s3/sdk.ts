/** The S3 client package's exports. */
export type ClientS3Module = typeof import('@aws-sdk/client-s3');
/** The multipart upload helper package's exports. */
export type LibStorageModule = typeof import('@aws-sdk/lib-storage');
/** The URL presigner package's exports. */
export type PresignerModule = typeof import('@aws-sdk/s3-request-presigner');

// The SDK is large and slow to load; importing it only on the first S3 operation keeps it out of
// apps that use the local backend. A failed import is forgotten so that a later call can retry.
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** Imports `@aws-sdk/client-s3` on first call; later calls share the same promise. */
export const loadClientS3 = once((): Promise<ClientS3Module> => import('@aws-sdk/client-s3'));
/** Imports `@aws-sdk/lib-storage` on first call. */
export const loadLibStorage = once((): Promise<LibStorageModule> => import('@aws-sdk/lib-storage'));
/** Imports `@aws-sdk/s3-request-presigner` on first call. */
export const loadPresigner = once((): Promise<PresignerModule> => import('@aws-sdk/s3-request-presigner'));
