import { AudioStoreError } from '../errors.js';
import type { AudioMetadata } from '../types.js';

// Names every backend can carry: S3 sends them as `x-amz-meta-<name>` HTTP headers.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Names the backends use for their own bookkeeping (S3 stores the original name case there). */
export const RESERVED_METADATA_PREFIX = 'audio-store-';
/**
 * S3 allows 2 KB of user metadata; values are escaped on the way in, so the raw budget is half that.
 */
export const MAX_METADATA_BYTES = 1024;

/** Checks user metadata once, in the core, so every backend can store it faithfully. */
export function validateMetadata(metadata: unknown, key: string | undefined): AudioMetadata {
  if (metadata === undefined) return {};
  const fail = (why: string): never => {
    throw new AudioStoreError('INVALID_METADATA', `Invalid metadata: ${why}`, { key });
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('must be an object of strings');
  const seen = new Set<string>();
  let bytes = 0;
  const out: AudioMetadata = {};
  for (const [name, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (!NAME.test(name)) fail(`name ${JSON.stringify(name)} must be letters, digits, "-", "_" or "."`);
    const lower = name.toLowerCase();
    if (lower.startsWith(RESERVED_METADATA_PREFIX)) fail(`names starting with "${RESERVED_METADATA_PREFIX}" are reserved`);
    // S3 lowercases header names and Ceph RGW also turns "_" into "-": such names would collide.
    const folded = lower.replace(/_/g, '-');
    if (seen.has(folded)) fail(`name ${JSON.stringify(name)} differs from another only in case or "_" versus "-"`);
    if (typeof value !== 'string') fail(`value of ${JSON.stringify(name)} must be a string`);
    seen.add(folded);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value as string);
    out[name] = value as string;
  }
  if (bytes > MAX_METADATA_BYTES) fail(`${bytes} bytes is more than the ${MAX_METADATA_BYTES}-byte limit`);
  return out;
}
