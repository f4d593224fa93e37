/**
 * Every failure the library reports is an {@link AudioStoreError} with one of these codes.
 *
 * - `NOT_FOUND`: no object at the key.
 * - `INVALID_KEY`: the key (or prefix) was rejected by the key normalizer.
 * - `INVALID_METADATA`: metadata names or values that no backend could store faithfully.
 * - `EMPTY_BODY`: the body had no bytes.
 * - `TOO_LARGE`: the body was longer than `maxBytes`.
 * - `UNSUPPORTED_TYPE`: the body's first bytes are not a supported audio format.
 * - `INVALID_RANGE`: the requested byte range lies outside the object, or is malformed.
 * - `NOT_CONFIGURED`: configuration is missing or malformed; the message names each variable.
 * - `ACCESS_DENIED`: the backend refused the credentials or the operation.
 * - `CONNECTION_FAILED`: the backend could not be reached.
 * - `BACKEND_ERROR`: any other backend failure; see `cause`.
 */
export type AudioStoreErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_KEY'
  | 'INVALID_METADATA'
  | 'EMPTY_BODY'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_TYPE'
  | 'INVALID_RANGE'
  | 'NOT_CONFIGURED'
  | 'ACCESS_DENIED'
  | 'CONNECTION_FAILED'
  | 'BACKEND_ERROR';

/** Options for {@link AudioStoreError}. */
export interface AudioStoreErrorOptions {
  /** The normalized key (or the raw key, when it was the key that was rejected). */
  key?: string;
  /** The underlying SDK, fs or stream error. */
  cause?: unknown;
}

// Shared across copies of the library (its ESM and CJS builds loaded side by side, or two versions).
const BRAND = Symbol.for('audio-store.AudioStoreError');

/** The one error class thrown by audio-store. Check `code`, never the message. */
export class AudioStoreError extends Error {
  override readonly name = 'AudioStoreError';
  readonly [BRAND] = true;
  readonly code: AudioStoreErrorCode;
  readonly key?: string;

  constructor(code: AudioStoreErrorCode, message: string, options: AudioStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.key !== undefined) this.key = options.key;
  }
}

/**
 * True when `err` is an {@link AudioStoreError}, and, when `code` is given, has that code.
 *
 * @example
 * if (isAudioStoreError(err, 'NOT_FOUND')) res.statusCode = 404;
 */
export function isAudioStoreError(err: unknown, code?: AudioStoreErrorCode): err is AudioStoreError {
  const branded = typeof err === 'object' && err !== null && (err as { [BRAND]?: unknown })[BRAND] === true;
  return branded && (code === undefined || (err as AudioStoreError).code === code);
}
