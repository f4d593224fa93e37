import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Settings } from './config.js';

/** A host that does not accept the TCP connection within this time is reported as unreachable. */
export const CONNECTION_TIMEOUT_MS = 5_000;
/**
 * Time allowed from sending a request until the response headers arrive, including the upload
 * of one part (`queueSize` parts of `partSize` share the link). The response body is not bounded:
 * a consumer may legitimately pause a download for a long time.
 */
export const REQUEST_TIMEOUT_MS = 120_000;
/** SigV4 needs some region; S3-compatible stores accept this one. */
const ENDPOINT_DEFAULT_REGION = 'us-east-1';

/** The options for the `S3Client` the backend creates when none is injected. */
export function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  const config: S3ClientConfig = {
    // Without these a black-holed host hangs for minutes; the SDK's retries (3 attempts) stay.
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
  const region = settings.region ?? (settings.endpoint !== undefined ? ENDPOINT_DEFAULT_REGION : undefined);
  if (region !== undefined) config.region = region;
  if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
  if (settings.forcePathStyle !== undefined) config.forcePathStyle = settings.forcePathStyle;
  if (settings.credentials !== undefined) {
    const { accessKeyId, secretAccessKey, sessionToken } = settings.credentials;
    config.credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  }
  if (settings.checksumMode !== undefined) {
    // Many S3-compatible stores reject the aws-chunked CRC32 uploads the SDK sends by default.
    config.requestChecksumCalculation = settings.checksumMode;
    config.responseChecksumValidation = settings.checksumMode;
  }
  return config;
}
