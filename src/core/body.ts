import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AudioStoreError, isAudioStoreError } from '../errors.js';
import type { AudioBody } from '../types.js';
import { sniffAudio, SNIFF_BYTES } from './sniff.js';
import type { AudioFormat } from './formats.js';

/** A body that passed the up-front checks, ready to stream into a backend. */
export interface IngestedBody {
  format: AudioFormat;
  /** Yields every byte once; errors with `TOO_LARGE` past the limit. */
  stream: Readable;
  /** The length, when the body type tells it up front. */
  knownSize?: number;
  /** Why the stream failed, when the body itself was at fault (too large, or its source broke). */
  failure(): AudioStoreError | undefined;
  /** Bytes streamed, and the digest once the whole body has streamed (undefined before). */
  totals(): { size: number; sha256: string | undefined };
  /** Stops reading the caller's source, for a put that failed before (or while) reading it. */
  release(): Promise<void>;
}

function isNodeReadable(body: unknown): body is Readable {
  return body instanceof Readable || (typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function' && typeof (body as Readable).read === 'function');
}

function isWebStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}

/**
 * Iterates the caller's body without taking ownership of it: stopping early detaches from a Node
 * stream or a web stream instead of destroying it. Destroying an `http.IncomingMessage` would
 * destroy its socket, and the caller could no longer answer 413 or 415.
 */
function toSource(body: AudioBody, key: string | undefined): { chunks: AsyncIterator<unknown>; knownSize?: number } {
  if (body instanceof Uint8Array) return { chunks: [body][Symbol.iterator]() as unknown as AsyncIterator<unknown>, knownSize: body.byteLength };
  if (body instanceof ArrayBuffer) return toSource(new Uint8Array(body), key);
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    return { chunks: (body.stream() as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator](), knownSize: body.size };
  }
  if (isNodeReadable(body)) return { chunks: body.iterator({ destroyOnReturn: false }) };
  if (isWebStream(body)) {
    const values = (body as unknown as { values(o: { preventCancel: boolean }): AsyncIterableIterator<unknown> }).values({ preventCancel: true });
    return { chunks: values };
  }
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
    return { chunks: (body as AsyncIterable<unknown>)[Symbol.asyncIterator]() };
  }
  throw new AudioStoreError(
    'UNSUPPORTED_TYPE',
    'Body must be a Uint8Array, ArrayBuffer, Blob, Node Readable, web ReadableStream or AsyncIterable<Uint8Array>',
    { key },
  );
}

function asBytes(chunk: unknown, key: string | undefined): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new AudioStoreError('UNSUPPORTED_TYPE', `Body yielded a ${typeof chunk} chunk; audio bodies must yield bytes`, { key });
}

function tooLarge(maxBytes: number, key: string | undefined): AudioStoreError {
  return new AudioStoreError('TOO_LARGE', `Body is larger than the ${maxBytes}-byte limit`, { key });
}

/** The caller's stream broke (a client hung up mid-upload): not the storage's fault, but reported the same way. */
function sourceError(err: unknown, key: string | undefined): AudioStoreError {
  if (isAudioStoreError(err)) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new AudioStoreError('BACKEND_ERROR', `Reading the body failed: ${why}`, { key, cause: err });
}

/** Ends our iteration of the source once; see {@link toSource} for why it never destroys it. */
function releaser(chunks: AsyncIterator<unknown>): () => Promise<void> {
  let released: Promise<void> | undefined;
  return () => (released ??= Promise.resolve(chunks.return?.()).then(() => undefined, () => undefined));
}

/**
 * Reads just enough of a body to reject it early (empty, too large, not audio), then hands back a
 * stream that yields the same bytes while counting and hashing them. Nothing is buffered beyond
 * the sniffed head, so memory stays flat whatever the body's size.
 */
export async function ingestBody(body: AudioBody, maxBytes: number, key: string | undefined): Promise<IngestedBody> {
  const { chunks, knownSize } = toSource(body, key);
  const release = releaser(chunks);
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  try {
    if (knownSize !== undefined && knownSize > maxBytes) throw tooLarge(maxBytes, key);
    while (headBytes < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        done = true;
        break;
      }
      const bytes = asBytes(next.value, key);
      head.push(bytes);
      headBytes += bytes.byteLength;
      if (headBytes > maxBytes) throw tooLarge(maxBytes, key);
    }
    if (headBytes === 0) throw new AudioStoreError('EMPTY_BODY', 'Body is empty', { key });
    // Only the sniffed bytes are copied, however large the first chunk is.
    const sample = head.length === 1 ? (head[0] as Uint8Array).subarray(0, SNIFF_BYTES) : Buffer.concat(head, Math.min(headBytes, SNIFF_BYTES));
    const format = await sniffAudio(sample, key);
    return withTotals({ format, knownSize, head, rest: done ? undefined : chunks, release, maxBytes, key });
  } catch (err) {
    await release();
    throw sourceError(err, key);
  }
}

interface TotalsInput {
  format: AudioFormat;
  knownSize: number | undefined;
  head: Uint8Array[];
  rest: AsyncIterator<unknown> | undefined;
  release: () => Promise<void>;
  maxBytes: number;
  key: string | undefined;
}

function withTotals({ format, knownSize, head, rest, release, maxBytes, key }: TotalsInput): IngestedBody {
  const hash = createHash('sha256');
  let size = 0;
  let sha256: string | undefined;
  let failure: AudioStoreError | undefined;

  function count(bytes: Uint8Array): Uint8Array {
    size += bytes.byteLength;
    if (size > maxBytes) throw (failure = tooLarge(maxBytes, key));
    hash.update(bytes);
    return bytes;
  }

  async function pull(source: AsyncIterator<unknown>): Promise<IteratorResult<unknown>> {
    try {
      return await source.next();
    } catch (err) {
      throw (failure = sourceError(err, key));
    }
  }

  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      for (const bytes of head) yield count(bytes);
      head.length = 0;
      if (rest) {
        for (let next = await pull(rest); !next.done; next = await pull(rest)) {
          yield count(asBytes(next.value, key));
        }
      }
      sha256 = hash.digest('hex');
    } finally {
      // A consumer that stops early (a failed upload) must not leave the caller's stream attached.
      if (sha256 === undefined) await release();
    }
  }

  const stream = Readable.from(all(), { objectMode: false });
  return {
    format,
    stream,
    ...(knownSize === undefined ? {} : { knownSize }),
    failure: () => failure,
    totals: () => ({ size, sha256 }),
    release,
  };
}
