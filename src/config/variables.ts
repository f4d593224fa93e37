/** Every environment variable audio-store reads; `status().env` reports each as set or missing. */
export const ENV_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_S3_BUCKET',
  'AWS_ENDPOINT_URL_S3',
  'AWS_S3_ENDPOINT',
  'AWS_S3_FORCE_PATH_STYLE',
  'AWS_S3_PUBLIC_URL',
  'AWS_S3_PREFIX',
  'AUDIO_STORE_BACKEND',
  'AUDIO_STORE_DIR',
  'AUDIO_STORE_PUBLIC_PATH',
  'AUDIO_STORE_BASE_URL',
  'AUDIO_STORE_MAX_BYTES',
  'AUDIO_STORE_URL_EXPIRES',
  'AUDIO_STORE_DEBUG',
] as const;

export type EnvVar = (typeof ENV_VARS)[number];

/**
 * Variables that only make sense for S3 storage: setting one of them without a bucket is a
 * mistake to report, not a reason to fall back to disk. The generic AWS_* credentials are left
 * out because apps set them for other AWS services too.
 */
export const S3_ONLY_VARS: readonly EnvVar[] = [
  'AWS_S3_BUCKET',
  'AWS_ENDPOINT_URL_S3',
  'AWS_S3_ENDPOINT',
  'AWS_S3_FORCE_PATH_STYLE',
  'AWS_S3_PUBLIC_URL',
  'AWS_S3_PREFIX',
];

export const DEFAULTS = {
  dir: './uploads',
  publicPath: '/audio',
  maxBytes: 25 * 1024 * 1024,
  urlExpiresIn: 3600,
  /** SigV4's longest presigned URL: seven days. */
  maxUrlExpiresIn: 604800,
} as const;
