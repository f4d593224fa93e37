import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { BackendGetResult, BackendRange } from '../../backend.js';
import { AudioStoreError } from '../../errors.js';
import type { S3Context } from './context.js';
import { classifyS3Error } from './errors.js';
import { notFoundOr, objectInfo } from './object-info.js';
import { loadClientS3 } from './sdk.js';

interface ServedRange {
  start: number;
  end: number;
  total: number;
}

/**
 * GetObject, with a `Range` header when a range is asked for. Throws `NOT_FOUND`, and
 * `INVALID_RANGE` when S3 answers 416 (the range starts at or past the end).
 */
export async function getObject(ctx: S3Context, key: string, range?: BackendRange): Promise<BackendGetResult> {
  const [client, { GetObjectCommand }] = await Promise.all([ctx.client(), loadClientS3()]);
  const input = { Bucket: ctx.settings.bucket, Key: ctx.objectKey(key) };
  let out: GetObjectCommandOutput;
  try {
    out = await client.send(
      new GetObjectCommand(range ? { ...input, Range: `bytes=${range.start}-${range.end ?? ''}` } : input),
    );
  } catch (err) {
    if (range && classifyS3Error(err) === 'INVALID_RANGE') {
      throw new AudioStoreError('INVALID_RANGE', `Range start ${range.start} is outside "${key}"`, { key, cause: err });
    }
    throw notFoundOr(err, key);
  }
  const body = toReadable(out.Body);
  const length = out.ContentLength ?? 0;
  if (!range) return { ...objectInfo(key, length, out), body };

  const served = parseContentRange(out.ContentRange) ?? wholeObjectAsRange(range, length);
  if (!served) {
    body.destroy();
    throw new AudioStoreError('BACKEND_ERROR', `The store ignored the byte range asked for "${key}"`, { key });
  }
  return { ...objectInfo(key, served.total, out), range: { start: served.start, end: served.end }, body };
}

/** Parses `bytes 0-99/1000`. */
export function parseContentRange(header: string | undefined): ServedRange | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

// A store (or a proxy in front of it) may answer a range with the whole object; that is only
// what was asked for when the range covers the whole object.
function wholeObjectAsRange(range: BackendRange, length: number): ServedRange | undefined {
  const coversAll = range.start === 0 && (range.end === undefined || range.end >= length - 1);
  return coversAll && length > 0 ? { start: 0, end: length - 1, total: length } : undefined;
}

/** In Node the SDK's body is an IncomingMessage; other request handlers give web streams or Blobs. */
function toReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null) return Readable.from([]);
  if (body instanceof Blob) return Readable.fromWeb(body.stream() as NodeReadableStream);
  if (body instanceof ReadableStream) return Readable.fromWeb(body as NodeReadableStream);
  if (body instanceof Uint8Array) return Readable.from([body]);
  throw new AudioStoreError('BACKEND_ERROR', 'The S3 client returned a body that is not a stream');
}
