import { AudioStoreError, isAudioStoreError } from '../errors.js';
import type { StorageBackend } from '../backend.js';
import { redact } from '../log.js';

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const name = err.name && err.name !== 'Error' ? err.name : typeof code === 'string' ? code : '';
    return [name, err.message].filter(Boolean).join(': ') || 'unknown error';
  }
  return String(err);
}

/**
 * The one place where backend failures become AudioStoreErrors: the backend classifies, the core
 * names the operation and the key, keeps the original as `cause`, and strips secrets from the text.
 */
export function wrapError(
  err: unknown,
  backend: StorageBackend,
  op: string,
  key: string | undefined,
  secrets: readonly string[],
): AudioStoreError {
  // By brand, not instanceof: a custom backend may throw errors of another copy of the library.
  if (isAudioStoreError(err)) {
    // A backend may have quoted the store's own error text, which can echo a credential.
    const clean = redact(err.message, secrets);
    return clean === err.message ? err : new AudioStoreError(err.code, clean, { key: err.key, cause: err.cause });
  }
  const code = backend.classifyError?.(err) ?? 'BACKEND_ERROR';
  const where = key === undefined ? '' : ` "${key}"`;
  const message = redact(`${op}${where} failed on ${backend.name} storage: ${describe(err)}`, secrets);
  return new AudioStoreError(code, message, { key, cause: err });
}
