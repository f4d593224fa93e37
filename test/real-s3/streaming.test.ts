import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAudioStore, type AudioStore } from '../../src/index.js';
import { makeWav, readAll, wavStream } from '../../src/testing/index.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const target = realS3Target();

const MIB = 1024 * 1024;
const BIG = 50 * MIB;
const PART = 8 * MIB; // the driver's default part size

/** An inclusive byte range. */
type Span = readonly [start: number, end: number];

/** sha256 and length of a stream, plus copies of the given byte ranges: one pass, nothing else kept. */
async function digest(source: AsyncIterable<unknown>, spans: readonly Span[] = []) {
  const hash = createHash('sha256');
  const pieces = spans.map(([start, end]) => Buffer.alloc(end - start + 1));
  let offset = 0;
  for await (const raw of source) {
    const chunk = Buffer.from(raw as Uint8Array);
    hash.update(chunk);
    spans.forEach(([start, end], i) => {
      const from = Math.max(start, offset);
      const to = Math.min(end + 1, offset + chunk.length);
      if (from < to) chunk.copy(pieces[i]!, from - start, from - offset, to - offset);
    });
    offset += chunk.length;
  }
  return { sha256: hash.digest('hex'), size: offset, pieces };
}

/** An async generator: a body with no length anywhere, in odd-sized chunks. */
async function* unsized(size: number, seed: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of wavStream(size, 100_003, seed)) yield new Uint8Array(chunk as Buffer);
}

describe.skipIf(!target)('real S3: large and streaming bodies', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);
  let store: AudioStore;

  beforeAll(() => {
    store = createAudioStore({ env: bucket.env({ AUDIO_STORE_MAX_BYTES: String(64 * MIB) }), logger: false });
  });

  const bigKey = 'big/fifty.wav';
  const spans: Span[] = [
    [0, 99],
    [PART - 50, PART + 49], // across the first part boundary
    [3 * PART - 1, 3 * PART], // the last byte of part 3 and the first of part 4
    [BIG - 100, BIG - 1],
  ];
  let expected: Awaited<ReturnType<typeof digest>>;

  it('streams a 50 MB body up as a multipart upload and reads it back byte-exact', { timeout: 180_000 }, async () => {
    expected = await digest(wavStream(BIG, 64 * 1024, 77), spans);
    const saved = await store.put(wavStream(BIG, 64 * 1024, 77), { key: bigKey });
    expect(saved).toMatchObject({ key: bigKey, size: BIG, contentType: 'audio/wav' });
    expect(saved.checksum.sha256).toBe(expected.sha256);

    // It really went up in parts: a multipart object's ETag ends in -<parts>.
    const raw = await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: bucket.prefix + bigKey }));
    expect(raw.ContentLength).toBe(BIG);
    expect(raw.ETag).toMatch(new RegExp(`-${Math.ceil(BIG / PART)}"?$`));

    const got = await store.get(bigKey);
    expect(got).toMatchObject({ size: BIG, totalSize: BIG, contentType: 'audio/wav' });
    const back = await digest(got.body);
    expect(back.size).toBe(BIG);
    expect(back.sha256).toBe(expected.sha256);
  });

  it('serves byte ranges of the big object, across part boundaries', { timeout: 60_000 }, async () => {
    expect(expected, 'the 50 MB put ran first').toBeDefined();
    for (const [i, [start, end]] of spans.entries()) {
      const got = await store.get(bigKey, { range: { start, end } });
      expect(got, `bytes ${start}-${end}`).toMatchObject({ size: end - start + 1, totalSize: BIG, range: { start, end } });
      expect((await readAll(got.body)).equals(expected.pieces[i]!), `bytes ${start}-${end}`).toBe(true);
    }
    const tail = await store.get(bigKey, { range: { start: BIG - 100 } });
    expect(tail.range).toEqual({ start: BIG - 100, end: BIG - 1 });
    expect((await readAll(tail.body)).equals(expected.pieces[3]!)).toBe(true);
  });

  it('stores bodies of unknown length (async generators), below and above the part size', { timeout: 120_000 }, async () => {
    for (const [size, seed] of [
      [300_000, 5],
      [PART + 3 * MIB + 17, 6],
    ] as const) {
      const key = `unsized/${size}.wav`;
      const want = await digest(unsized(size, seed));
      const saved = await store.put(unsized(size, seed), { key });
      expect(saved.size, key).toBe(size);
      expect(saved.checksum.sha256, key).toBe(want.sha256);
      const back = await digest((await store.get(key)).body);
      expect(back, key).toMatchObject({ size, sha256: want.sha256 });
    }
  });

  describe('presigned URLs', () => {
    const body = makeWav(30_000, 9);
    const key = 'urls/note one.wav';

    it('serve the exact bytes with their Content-Type, and byte ranges with 206', async () => {
      const saved = await store.put(body, { key });
      for (const url of [saved.url, await store.url(key), await store.url(key, { expiresIn: 60 })]) {
        expect(url).toContain('X-Amz-Signature=');
        const whole = await fetch(url);
        expect(whole.status).toBe(200);
        expect(whole.headers.get('content-type')).toBe('audio/wav');
        expect(Number(whole.headers.get('content-length'))).toBe(body.length);
        expect(Buffer.from(await whole.arrayBuffer()).equals(body)).toBe(true);

        const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
        expect(part.status).toBe(206);
        expect(part.headers.get('content-range')).toBe(`bytes 10-19/${body.length}`);
        expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(10, 20))).toBe(true);
      }
    });

    it('are refused once expired', { timeout: 20_000 }, async () => {
      await store.put(body, { key });
      const url = await store.url(key, { expiresIn: 1 });
      // SigV4 dates have whole seconds: two and a half seconds later it has expired for certain.
      await sleep(2_500);
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(Buffer.from(await res.arrayBuffer()).includes(body.subarray(44, 100))).toBe(false);
    });
  });
});
