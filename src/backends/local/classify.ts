import type { AudioStoreErrorCode } from '../../errors.js';
import { isAudioStoreError } from '../../errors.js';
import { errnoCode } from './errno.js';

const CODES = new Map<string, AudioStoreErrorCode>([
  ['ENOENT', 'NOT_FOUND'],
  ['EACCES', 'ACCESS_DENIED'],
  ['EPERM', 'ACCESS_DENIED'],
  ['EROFS', 'ACCESS_DENIED'],
  ['ENAMETOOLONG', 'INVALID_KEY'],
]);

/**
 * Maps a native fs error to a code. `ENOTDIR`/`EISDIR` are left to `BACKEND_ERROR` here: without
 * context they mean a broken directory (the root is a file). Where they come from a key, the
 * driver says so itself: `NOT_FOUND` on reads, `INVALID_KEY` with a clear message on writes
 * (`a/b` when `a` is an object, or `a` when objects live under `a/`).
 */
export function classifyLocalError(err: unknown): AudioStoreErrorCode | undefined {
  if (isAudioStoreError(err)) return err.code;
  const code = errnoCode(err);
  return code === undefined ? undefined : CODES.get(code);
}
