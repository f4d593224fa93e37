import { randomUUID } from 'node:crypto';
import { AudioStoreError } from '../errors.js';

/** Keys under this prefix belong to the library (self-test canaries, local temp and sidecar files). */
export const RESERVED_PREFIX = '.audio-store/';

/** S3's limit; also keeps local paths well under PATH_MAX. */
export const MAX_KEY_BYTES = 1024;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators that split log lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// A Windows drive (`C:`) or device path would escape the root when joined with path.win32.
const WINDOWS_DRIVE = /^[a-z]:/i;

function reject(raw: unknown, why: string): never {
  const shown = typeof raw === 'string' ? JSON.stringify(raw.slice(0, 200)) : String(typeof raw);
  throw new AudioStoreError('INVALID_KEY', `Invalid key ${shown}: ${why}`, {
    key: typeof raw === 'string' ? raw : undefined,
  });
}

/**
 * Checks a string against the rules every key and prefix share, and returns its canonical form:
 * NFC (so a name typed on macOS and on Linux is one key), `.` segments and repeated slashes removed.
 * `..` segments are refused rather than resolved, so a key can never climb out of its root.
 */
function canonical(raw: unknown, allowTrailingSlash: boolean): string {
  if (typeof raw !== 'string') reject(raw, 'must be a string');
  if (raw.includes('\\')) reject(raw, 'backslashes are not allowed');
  if (CONTROL.test(raw)) reject(raw, 'control characters (including NUL) are not allowed');
  if (raw.startsWith('/')) reject(raw, 'absolute paths are not allowed');
  if (raw.trim() !== raw) reject(raw, 'leading or trailing whitespace is not allowed');
  const nfc = raw.normalize('NFC');
  const segments = nfc.split('/');
  const trailing = segments.length > 1 && segments[segments.length - 1] === '';
  if (trailing && !allowTrailingSlash) reject(raw, 'must name an object, not end with "/"');
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.includes('..')) reject(raw, '".." segments are not allowed');
  if (kept.length > 0 && WINDOWS_DRIVE.test(kept[0] as string)) reject(raw, 'drive letters are not allowed');
  const joined = kept.join('/') + (trailing && kept.length > 0 ? '/' : '');
  if (Buffer.byteLength(joined) > MAX_KEY_BYTES) reject(raw, `longer than ${MAX_KEY_BYTES} bytes`);
  return joined;
}

/**
 * The one key normalizer: every method's key goes through it before reaching a backend.
 * Throws `INVALID_KEY` for empty keys, `..`, absolute paths, backslashes, control characters,
 * drive letters, and (unless `allowReserved`) keys under `.audio-store/`.
 */
export function normalizeKey(raw: unknown, options: { allowReserved?: boolean } = {}): string {
  const key = canonical(raw, false);
  if (key === '') reject(raw, 'must not be empty');
  if (!options.allowReserved && isReserved(key)) reject(raw, `keys under "${RESERVED_PREFIX}" are reserved`);
  return key;
}

/**
 * Normalizes a listing prefix with the same rules as keys. A prefix may be empty and may end
 * with `/`; it is matched as a plain string prefix, so `a/a/` never matches `a/aaa/x`.
 */
export function normalizePrefix(raw: unknown): string {
  const prefix = canonical(raw ?? '', true);
  if (isReserved(prefix)) {
    reject(raw, `keys under "${RESERVED_PREFIX}" are reserved`);
  }
  return prefix;
}

/**
 * True for keys that belong to the library itself. Compared the way macOS and Windows file
 * systems compare names (ignoring case, and on Windows trailing dots and spaces), so that
 * `.Audio-Store/` can't reach the local backend's own files there.
 */
export function isReserved(key: string): boolean {
  const first = key.split('/', 1)[0] ?? '';
  return first.toLowerCase().replace(/[. ]+$/, '') === RESERVED_PREFIX.slice(0, -1);
}

/** `YYYY/MM/DD/<uuid>.<ext>` in UTC: spreads keys by day, so listing and expiring a day is cheap. */
export function generateKey(ext: string, now: Date = new Date()): string {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, '0');
  const d = String(now.getUTCDate()).padStart(2, '0');
  return `${y}/${m}/${d}/${randomUUID()}.${ext}`;
}

/** A key as a URL path: each segment percent-encoded, so spaces, `+`, `&`, `#`, `?` and unicode survive. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
