import type { AudioStoreErrorCode } from '../../errors.js';

// S3 error codes (the SDK's `name`) whose meaning does not depend on the operation.
const CODES_BY_NAME: Readonly<Record<string, AudioStoreErrorCode>> = {
  NoSuchKey: 'NOT_FOUND',
  NotFound: 'NOT_FOUND',
  InvalidRange: 'INVALID_RANGE',
  AccessDenied: 'ACCESS_DENIED',
  InvalidAccessKeyId: 'ACCESS_DENIED',
  SignatureDoesNotMatch: 'ACCESS_DENIED',
  ExpiredToken: 'ACCESS_DENIED',
  InvalidToken: 'ACCESS_DENIED',
  TokenRefreshRequired: 'ACCESS_DENIED',
  AllAccessDisabled: 'ACCESS_DENIED',
  AccountProblem: 'ACCESS_DENIED',
  // The bucket name, its region or the credentials source is wrong: fixed in configuration.
  NoSuchBucket: 'NOT_CONFIGURED',
  PermanentRedirect: 'NOT_CONFIGURED',
  AuthorizationHeaderMalformed: 'NOT_CONFIGURED',
  CredentialsProviderError: 'NOT_CONFIGURED',
  MetadataTooLarge: 'INVALID_METADATA',
  TimeoutError: 'CONNECTION_FAILED',
};

const CODES_BY_STATUS: Readonly<Record<number, AudioStoreErrorCode>> = {
  301: 'NOT_CONFIGURED',
  401: 'ACCESS_DENIED',
  403: 'ACCESS_DENIED',
  404: 'NOT_FOUND',
  416: 'INVALID_RANGE',
};

// Node socket, DNS and TLS failures: the request never got an HTTP answer.
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'EPROTO', 'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  syscall?: unknown;
  errors?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The HTTP status of an SDK error, when S3 answered at all. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = fieldsOf(err)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Maps an SDK or Node error to an audio-store code, or undefined for `BACKEND_ERROR`.
 * Names win over statuses: a 404 `NoSuchBucket` is a configuration problem, not a missing object.
 */
export function classifyS3Error(err: unknown): AudioStoreErrorCode | undefined {
  const fields = fieldsOf(err);
  if (!fields) return undefined;
  const byName = typeof fields.name === 'string' ? CODES_BY_NAME[fields.name] : undefined;
  if (byName) return byName;
  const status = httpStatusOf(err);
  if (status !== undefined) return CODES_BY_STATUS[status];
  return isNetworkError(err, 0) ? 'CONNECTION_FAILED' : undefined;
}

// The SDK passes socket errors through with `$metadata` (attempts) but no status; Node 20 may
// wrap them in an AggregateError (one per address tried) or a `cause`.
function isNetworkError(err: unknown, depth: number): boolean {
  const fields = fieldsOf(err);
  if (!fields || depth > 3) return false;
  if (typeof fields.code === 'string' && (NETWORK_CODES.has(fields.code) || typeof fields.syscall === 'string')) return true;
  if (Array.isArray(fields.errors) && fields.errors.some((inner) => isNetworkError(inner, depth + 1))) return true;
  return isNetworkError(fields.cause, depth + 1);
}

function fieldsOf(err: unknown): ErrorFields | undefined {
  return typeof err === 'object' && err !== null ? (err as ErrorFields) : undefined;
}
