/** Small parsers for environment values. Each returns undefined for "absent" and a string for "bad". */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

export function parseBoolean(name: string, raw: string): Parsed<boolean> {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return ok(true);
  if (['0', 'false', 'no', 'off'].includes(v)) return ok(false);
  return bad(`${name} must be true or false`);
}

export function parseInteger(name: string, raw: string | number, min: number, max: number): Parsed<number> {
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) return bad(`${name} must be an integer from ${min} to ${max}`);
  return ok(n);
}

/** An http(s) URL without query or fragment; the trailing slash is dropped. */
export function parseBaseUrl(name: string, raw: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return bad(`${name} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(`${name} must be an http:// or https:// URL`);
  if (url.search || url.hash) return bad(`${name} must not have a query or fragment`);
  if (url.username || url.password) return bad(`${name} must not contain a user name or password`);
  return ok(url.toString().replace(/\/+$/, ''));
}

/**
 * S3 bucket naming rules (the subset every S3-compatible store shares): 3 to 63 characters,
 * lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit,
 * no `..`, and not shaped like an IP address.
 */
export function parseBucket(name: string, raw: string): Parsed<string> {
  const b = raw.trim();
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b) && !b.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(b);
  return valid ? ok(b) : bad(`${name} is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
}

export function parseRegion(name: string, raw: string): Parsed<string> {
  const r = raw.trim();
  return /^[a-z0-9-]{1,64}$/i.test(r) ? ok(r) : bad(`${name} is not a valid region name`);
}

/** A URL path such as `/audio`: leading slash, no trailing slash. */
export function parsePublicPath(name: string, raw: string): Parsed<string> {
  const p = raw.trim();
  if (!p.startsWith('/') || /[\s?#\\]/.test(p) || p.split('/').includes('..')) {
    return bad(`${name} must be a URL path starting with "/"`);
  }
  return ok(p.replace(/\/+$/, ''));
}
