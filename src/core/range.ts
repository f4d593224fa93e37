import { AudioStoreError } from '../errors.js';
import type { BackendRange } from '../backend.js';

/**
 * Checks a requested range's shape before any I/O. Bounds against the object are checked by
 * {@link resolveRange} once the size is known.
 */
export function assertRangeShape(range: BackendRange, key: string): void {
  const { start, end } = range;
  const bad =
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start));
  if (bad) {
    throw new AudioStoreError(
      'INVALID_RANGE',
      `Invalid range { start: ${String(start)}, end: ${String(end)} } for "${key}": start must be an integer >= 0 and end an integer >= start`,
      { key },
    );
  }
}

/**
 * Resolves a range against an object's size, as HTTP does: `start` must fall inside the object,
 * `end` is clamped to the last byte. Shared by every backend that slices bytes itself.
 */
export function resolveRange(range: BackendRange, size: number, key: string): { start: number; end: number } {
  if (range.start >= size) {
    throw new AudioStoreError(
      'INVALID_RANGE',
      `Range start ${range.start} is outside "${key}" (${size} bytes)`,
      { key },
    );
  }
  const last = size - 1;
  return { start: range.start, end: range.end === undefined ? last : Math.min(range.end, last) };
}
