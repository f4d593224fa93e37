import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from './client-config.js';
import type { S3Settings } from './config.js';
import { MAX_KEY_BYTES } from '../../core/key.js';
import { AudioStoreError } from '../../errors.js';
import { loadClientS3 } from './sdk.js';

/** What every S3 operation needs: the settings and a client, created on first use. */
export interface S3Context {
  settings: S3Settings;
  client(): Promise<S3Client>;
  /** The key in the bucket: the configured prefix plus the store's key. */
  objectKey(key: string): string;
}

/** Builds the context without loading the SDK; the client is created by the first `client()` call. */
export function createS3Context(settings: S3Settings): S3Context {
  let client: Promise<S3Client> | undefined;
  return {
    settings,
    client() {
      client ??= settings.client
        ? Promise.resolve(settings.client)
        : loadClientS3().then(
            ({ S3Client }) => new S3Client(s3ClientConfig(settings)),
            (err: unknown) => {
              client = undefined;
              throw err;
            },
          );
      return client;
    },
    objectKey(key) {
      const objectKey = settings.prefix + key;
      // The core limits keys to S3's 1024 bytes; the configured prefix comes on top of that.
      if (Buffer.byteLength(objectKey) > MAX_KEY_BYTES) {
        throw new AudioStoreError('INVALID_KEY', `Key "${key}" is longer than S3's ${MAX_KEY_BYTES} bytes once the prefix "${settings.prefix}" is added`, { key });
      }
      return objectKey;
    },
  };
}
