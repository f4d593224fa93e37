import { AudioStoreError } from '../../errors.js';
import type { AudioMetadata } from '../../types.js';
import { decodeMimeWords } from './mime-words.js';

/**
 * The reserved entry written with every non-empty metadata set. Its value is the format version
 * followed by the original names that have capitals or underscores, comma-separated
 * (`1,UserId,Title,call_id`): S3 lowercases names (and Ceph RGW turns `_` into `-`), so this
 * restores them. Its presence also says the values are encoded.
 */
export const NAMES_ENTRY = 'audio-store-names';
const FORMAT_VERSION = '1';

/** S3's limit on user metadata: the UTF-8 bytes of every name and value, summed. */
export const S3_METADATA_LIMIT = 2048;

// Starts a base64url value. Percent-encoding never writes a `%` without two hex digits after it.
const BASE64_MARK = '%!';
// A UTF-16 surrogate without its pair has no UTF-8 form, so it cannot come back unchanged.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Encodes metadata for `x-amz-meta-*` headers, which carry only lowercase names and printable
 * ASCII values: each entry goes under its lowercased name, its value encoded by
 * {@link encodeValue}, plus {@link NAMES_ENTRY}.
 *
 * Throws `INVALID_METADATA` when a value cannot be stored faithfully or the encoded set passes
 * S3's 2 KB limit.
 */
export function encodeMetadata(metadata: AudioMetadata, key: string): Record<string, string> {
  const names = Object.keys(metadata);
  if (names.length === 0) return {};
  // Ceph RGW also hands names back with "_" turned into "-": those are recorded too.
  const recorded = names.filter((name) => name !== name.toLowerCase() || name.includes('_'));
  const entries: Array<[string, string]> = [[NAMES_ENTRY, [FORMAT_VERSION, ...recorded].join(',')]];
  for (const name of names) {
    const value = metadata[name] ?? '';
    if (LONE_SURROGATE.test(value)) {
      throw new AudioStoreError('INVALID_METADATA', `Metadata "${name}" of "${key}" contains an unpaired UTF-16 surrogate`, { key });
    }
    entries.push([name.toLowerCase(), encodeValue(value)]);
  }
  // Everything is ASCII by now, so length is the byte count S3 measures.
  const size = entries.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  if (size > S3_METADATA_LIMIT) {
    throw new AudioStoreError(
      'INVALID_METADATA',
      `Metadata of "${key}" takes ${size} bytes once encoded for S3, more than its ${S3_METADATA_LIMIT}-byte limit`,
      { key },
    );
  }
  // fromEntries defines own properties, so a name like "__proto__" stays an ordinary entry.
  return Object.fromEntries(entries);
}

/**
 * Restores what {@link encodeMetadata} stored. Objects written by other tools (no
 * {@link NAMES_ENTRY}) come back with S3's lowercase names and their values as S3 returns them,
 * except that RFC 2047 encoded-words (S3's form for non-ASCII values) are decoded.
 */
export function decodeMetadata(stored: Record<string, string> | undefined): AudioMetadata {
  const entries = Object.entries(stored ?? {}).map(([name, value]): [string, string] => [name.toLowerCase(), value]);
  const marker = entries.find(([name]) => name === NAMES_ENTRY)?.[1].split(',');
  if (marker?.[0] !== FORMAT_VERSION) {
    return Object.fromEntries(entries.map(([name, value]) => [name, decodeMimeWords(value) ?? value]));
  }
  const originalNames = new Map(marker.slice(1).map((name) => [name.toLowerCase(), name]));
  // Ceph RGW returns `x_y` as `x-y`: recognise that form too, unless the store kept the name as written.
  const returned = new Set(entries.map(([name]) => name));
  for (const [lower, original] of [...originalNames]) {
    const folded = lower.replace(/_/g, '-');
    if (folded !== lower && !returned.has(lower) && !originalNames.has(folded)) originalNames.set(folded, original);
  }
  return Object.fromEntries(
    entries
      .filter(([name]) => name !== NAMES_ENTRY)
      .map(([name, value]) => [originalNames.get(name) ?? name, decodeValue(value)]),
  );
}

/**
 * Printable ASCII other than `%` stays as is, so typical values (ids, numbers) remain readable in
 * S3 tools. Anything else is percent-encoded UTF-8 or, when shorter, `%!` + base64url: non-ASCII
 * text then grows by a third instead of threefold. Spaces are encoded because HTTP strips them at
 * the ends and SigV4 folds runs of them; an empty value becomes `%!` because some stores drop
 * empty headers.
 */
function encodeValue(value: string): string {
  let percent = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (code > 0x20 && code < 0x7f && ch !== '%') {
      percent += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) percent += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  if (percent === value && value !== '') return value;
  const base64 = BASE64_MARK + Buffer.from(value, 'utf8').toString('base64url');
  return base64.length < percent.length || value === '' ? base64 : percent;
}

function decodeValue(value: string): string {
  if (value.startsWith(BASE64_MARK)) return Buffer.from(value.slice(BASE64_MARK.length), 'base64url').toString('utf8');
  try {
    return decodeURIComponent(value);
  } catch {
    // Not something encodeValue wrote: better the raw value than no value.
    return value;
  }
}
