export { createS3Backend } from './s3-backend.js';
export type { S3BackendConfig, S3ChecksumMode } from './config.js';
