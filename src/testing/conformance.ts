import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageBackend } from '../backend.js';
import { createAudioStore } from '../create.js';
import { isAudioStoreError, type AudioStoreErrorCode } from '../errors.js';
import type { AudioInfo, AudioStore } from '../types.js';
import { makeWav, readAll, wavStream } from './audio.js';

/** What a conformance factory returns: a driver (wrapped by the suite) or a ready store. */
export type ConformanceTarget = StorageBackend | AudioStore;

/** Settings the suite asks the factory to honour when it returns a ready store. */
export interface ConformanceSettings {
  /** The size limit the suite's TOO_LARGE tests expect. */
  maxBytes: number;
}

/** Options for {@link runBackendConformance}. */
export interface ConformanceOptions {
  /** How many keys the paging test writes; at least 1001 to cross a 1000-key page. Default 1100. */
  listingKeys?: number;
  /** Per-test timeout in ms. Default 60000. */
  timeout?: number;
  /** Runs after the suite, after its own objects are deleted. */
  cleanup?: () => unknown;
}

/** The limit the suite runs with: small, so that TOO_LARGE is cheap to reach. */
export const CONFORMANCE_MAX_BYTES = 2 * 1024 * 1024;

/** Refused wherever they appear in a key. */
const BAD_ANYWHERE = [
  '..',
  '../escape.wav',
  'a/../../escape.wav',
  'a/..',
  'a\\b.wav',
  '..\\escape.wav',
  'C:\\escape.wav',
  'a\u0000b.wav',
  'a\nb.wav',
  'a\u007fb.wav',
  'dir/',
];

/** Refused as whole keys: empty, absolute, drive-relative, padded, or reserved. */
const BAD_ALONE = ['', '.', '/etc/passwd', '//server/share.wav', 'c:/escape.wav', ' padded.wav', '.audio-store/steal.wav'];

const SPECIAL_KEYS = [
  'voice notes/hello world.wav',
  'ünïcödé/日本語 メモ.wav',
  'emoji/🎤🎶.wav',
  'a+b&c=d.wav',
  'semi;colon,comma!@$.wav',
  "quote's (1) [2] {3}.wav",
  '%2e%2e/literal-percent.wav',
  'hash#and?question.wav',
  'deep/a/b/c/d/e/f/g.wav',
];

function isStore(target: ConformanceTarget): target is AudioStore {
  return typeof (target as AudioStore).selfTest === 'function';
}

async function expectCode(promise: Promise<unknown>, code: AudioStoreErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeDefined();
  expect(isAudioStoreError(err) ? err.code : err).toBe(code);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function collect(iterable: AsyncIterable<AudioInfo>): Promise<AudioInfo[]> {
  const out: AudioInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

/** Opens an object for its description only, releasing the body (a file handle or a socket) at once. */
async function peek(store: AudioStore, key: string) {
  const got = await store.get(key);
  got.body.destroy();
  return got;
}

/** A stream that yields `good` and then fails, like a client that hangs up mid-upload. */
function brokenStream(good: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(good);
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

/**
 * The shared suite every backend must pass, after unstorage's `testDriver()`. Call it inside a
 * vitest file; the factory runs once, and every object the suite writes lives under a random
 * prefix that is deleted at the end, so it is safe against a shared bucket.
 *
 * @example
 * runBackendConformance('my-backend', () => createMyBackend());
 */
export function runBackendConformance(
  name: string,
  createBackend: (settings: ConformanceSettings) => ConformanceTarget | Promise<ConformanceTarget>,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeout ?? 60_000;
  const listingKeys = options.listingKeys ?? 1100;
  const run = `conformance-${randomUUID().slice(0, 8)}/`;
  let store: AudioStore;
  let backend: StorageBackend | undefined;
  const k = (key: string) => run + key;

  describe(`audio-store conformance: ${name}`, { timeout }, () => {
    beforeAll(async () => {
      const target = await createBackend({ maxBytes: CONFORMANCE_MAX_BYTES });
      if (isStore(target)) {
        store = target;
      } else {
        backend = target;
        store = createAudioStore({ backend: target, maxBytes: CONFORMANCE_MAX_BYTES, logger: false, startupCheck: false });
      }
    }, timeout);

    afterAll(async () => {
      if (store) await store.deletePrefix(run);
      await options.cleanup?.();
    }, timeout);

    describe('put and get', () => {
      it('round-trips bytes, size, type and checksum', async () => {
        const body = makeWav(5000, 1);
        const saved = await store.put(body, { key: k('round/trip.wav') });
        expect(saved).toMatchObject({ key: k('round/trip.wav'), size: 5000, contentType: 'audio/wav', storageType: store.storageType });
        expect(saved.checksum.sha256).toBe(sha256(body));
        expect(typeof saved.url).toBe('string');
        expect(saved.url.length).toBeGreaterThan(0);
        const got = await store.get(saved.key);
        expect(got.body).toBeInstanceOf(Readable);
        expect(got).toMatchObject({ key: saved.key, size: 5000, totalSize: 5000, contentType: 'audio/wav' });
        expect(got.range).toBeUndefined();
        expect((await readAll(got.body)).equals(body)).toBe(true);
      });

      it('accepts every body type', async () => {
        const body = makeWav(3000, 2);
        const web = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(body.subarray(0, 100));
            controller.enqueue(body.subarray(100));
            controller.close();
          },
        });
        async function* generator() {
          yield body.subarray(0, 10);
          yield body.subarray(10);
        }
        const ab = new Uint8Array(body).buffer;
        const bodies = {
          uint8: new Uint8Array(body),
          arraybuffer: ab,
          blob: new Blob([new Uint8Array(body)]),
          readable: Readable.from([body.subarray(0, 7), body.subarray(7)]),
          web,
          iterable: generator(),
        };
        for (const [kind, b] of Object.entries(bodies)) {
          const saved = await store.put(b, { key: k(`bodies/${kind}.wav`) });
          expect(saved.size, kind).toBe(3000);
          expect(saved.checksum.sha256, kind).toBe(sha256(body));
          expect((await readAll((await store.get(saved.key)).body)).equals(body), kind).toBe(true);
        }
      });

      it('streams a body larger than one chunk without changing it', async () => {
        const size = CONFORMANCE_MAX_BYTES - 1000;
        const saved = await store.put(wavStream(size, 64 * 1024, 3), { key: k('stream/big.wav') });
        expect(saved.size).toBe(size);
        const expected = await readAll(wavStream(size, 64 * 1024, 3));
        expect(saved.checksum.sha256).toBe(sha256(expected));
        expect(sha256(await readAll((await store.get(saved.key)).body))).toBe(saved.checksum.sha256);
      });

      it('generates YYYY/MM/DD/<uuid>.<ext> keys when none is given', async () => {
        const saved = await store.put(makeWav(200, 4));
        try {
          expect(saved.key).toMatch(/^\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.wav$/);
          expect(await store.exists(saved.key)).toBe(true);
        } finally {
          await store.delete(saved.key);
        }
      });

      it('keeps a declared type that agrees with the bytes and replaces one that does not', async () => {
        const agreeing = await store.put(makeWav(300, 5), { key: k('types/agree.wav'), contentType: 'audio/x-wav' });
        expect(agreeing.contentType).toBe('audio/x-wav');
        const lying = await store.put(makeWav(300, 5), { key: k('types/lie.wav'), contentType: 'image/png' });
        expect(lying.contentType).toBe('audio/wav');
        expect((await store.head(lying.key)).contentType).toBe('audio/wav');
        expect((await peek(store, agreeing.key)).contentType).toBe('audio/x-wav');
      });

      it('overwrites an existing key, body and metadata', async () => {
        const key = k('overwrite/x.wav');
        await store.put(makeWav(400, 6), { key, metadata: { version: 'one' } });
        const second = makeWav(500, 7);
        await store.put(second, { key, metadata: { other: 'two' } });
        const got = await store.get(key);
        expect((await readAll(got.body)).equals(second)).toBe(true);
        expect(got.metadata).toEqual({ other: 'two' });
      });

      it('takes 5 concurrent writers to one key and keeps exactly one whole body', async () => {
        const key = k('race/same.wav');
        const bodies = [0, 1, 2, 3, 4].map((i) => makeWav(20_000 + i * 100, 100 + i));
        await Promise.all(bodies.map((b) => store.put(b, { key })));
        const final = await readAll((await store.get(key)).body);
        expect(bodies.some((b) => b.equals(final))).toBe(true);
      });
    });

    describe('metadata', () => {
      const metadata = { userId: 'u-42', ConversationID: 'C-7', lower: 'plain', 'X-Mixed_Case.v2': 'héllo wörld ✓ 日本', spaced: '  a b  ' };

      it('comes back from get, head and list with the case of its names', async () => {
        const key = k('meta/case.wav');
        await store.put(makeWav(300, 8), { key, metadata });
        expect((await peek(store, key)).metadata).toEqual(metadata);
        expect((await store.head(key)).metadata).toEqual(metadata);
        const listed = await collect(store.list(k('meta/')));
        expect(listed.map((i) => i.metadata)).toEqual([metadata]);
      });

      it('rejects names no backend can carry, before storing anything', async () => {
        const key = k('meta/bad.wav');
        await expectCode(store.put(makeWav(300, 9), { key, metadata: { 'bad name': 'x' } }), 'INVALID_METADATA');
        await expectCode(store.put(makeWav(300, 9), { key, metadata: { a: '1', A: '2' } }), 'INVALID_METADATA');
        await expectCode(store.put(makeWav(300, 9), { key, metadata: { a_b: '1', 'a-b': '2' } }), 'INVALID_METADATA');
        await expectCode(store.put(makeWav(300, 9), { key, metadata: { 'Audio-Store-Names': 'x' } }), 'INVALID_METADATA');
        await expectCode(store.put(makeWav(300, 9), { key, metadata: { big: 'x'.repeat(5000) } }), 'INVALID_METADATA');
        expect(await store.exists(key)).toBe(false);
      });
    });

    describe('head, exists, url, delete', () => {
      it('reports NOT_FOUND for a missing key', async () => {
        await expectCode(store.get(k('missing.wav')), 'NOT_FOUND');
        await expectCode(store.head(k('missing.wav')), 'NOT_FOUND');
        expect(await store.exists(k('missing.wav'))).toBe(false);
      });

      it('describes an object with head', async () => {
        const key = k('head/x.wav');
        const before = Date.now();
        await store.put(makeWav(777, 10), { key });
        const info = await store.head(key);
        expect(info).toMatchObject({ key, size: 777, contentType: 'audio/wav', metadata: {} });
        expect(info.lastModified).toBeInstanceOf(Date);
        // Clocks of remote stores drift; a minute either way is still "just now".
        expect(Math.abs(info.lastModified.getTime() - before)).toBeLessThan(60_000);
      });

      it('deletes, and deleting a missing key is not an error', async () => {
        const key = k('delete/x.wav');
        await store.put(makeWav(300, 11), { key });
        await store.delete(key);
        expect(await store.exists(key)).toBe(false);
        await expectCode(store.get(key), 'NOT_FOUND');
        await store.delete(key);
        await store.delete(k('delete/never-existed.wav'));
      });

      it('gives a URL for a key, and checks expiresIn', async () => {
        const key = k('url/x y.wav');
        await store.put(makeWav(300, 12), { key });
        const url = await store.url(key, { expiresIn: 120 });
        expect(url).toContain('x%20y.wav');
        await expect(store.url(key, { expiresIn: 0 })).rejects.toThrow(RangeError);
        await expect(store.url(key, { expiresIn: 604801 })).rejects.toThrow(RangeError);
      });
    });

    describe('keys', () => {
      it('round-trips keys with spaces, unicode, + and &', async () => {
        for (const [i, raw] of SPECIAL_KEYS.entries()) {
          const body = makeWav(100 + i, 20 + i);
          const saved = await store.put(body, { key: k(`special/${raw}`) });
          expect(saved.key).toBe(k(`special/${raw}`));
          expect((await readAll((await store.get(saved.key)).body)).equals(body), raw).toBe(true);
        }
        const listed = (await collect(store.list(k('special/')))).map((i) => i.key).sort();
        expect(listed).toEqual(SPECIAL_KEYS.map((raw) => k(`special/${raw}`)).sort());
      });

      it('refuses traversal vectors on every method and harms nothing', async () => {
        const sentinel = k('sentinel/keep.wav');
        const body = makeWav(300, 30);
        await store.put(body, { key: sentinel });
        for (const key of [...BAD_ALONE, ...BAD_ANYWHERE, ...BAD_ANYWHERE.map((bad) => run + bad)]) {
          await expectCode(store.put(makeWav(300, 31), { key }), 'INVALID_KEY');
          await expectCode(store.get(key), 'INVALID_KEY');
          await expectCode(store.head(key), 'INVALID_KEY');
          await expectCode(store.exists(key), 'INVALID_KEY');
          await expectCode(store.url(key), 'INVALID_KEY');
          await expectCode(store.delete(key), 'INVALID_KEY');
        }
        for (const bad of ['../', '/abs/', 'a\\', 'a/../../', 'x\u0000', '.audio-store/']) {
          await expectCode(collect(store.list(bad)), 'INVALID_KEY');
          await expectCode(store.deletePrefix(bad), 'INVALID_KEY');
        }
        await expectCode(store.deletePrefix(''), 'INVALID_KEY');
        expect((await readAll((await store.get(sentinel)).body)).equals(body)).toBe(true);
      });
    });

    describe('ranges', () => {
      const body = makeWav(1000, 40);
      const key = k('range/x.wav');
      const read = async (start: number, end?: number) => {
        const got = await store.get(key, { range: end === undefined ? { start } : { start, end } });
        return { got, bytes: await readAll(got.body) };
      };

      it('serves the start, a middle, the last byte and an open end', async () => {
        await store.put(body, { key });
        const first = await read(0, 0);
        expect(first.bytes.equals(body.subarray(0, 1))).toBe(true);
        expect(first.got).toMatchObject({ size: 1, totalSize: 1000, range: { start: 0, end: 0 } });
        const middle = await read(100, 199);
        expect(middle.bytes.equals(body.subarray(100, 200))).toBe(true);
        expect(middle.got).toMatchObject({ size: 100, totalSize: 1000, range: { start: 100, end: 199 } });
        const last = await read(999, 999);
        expect(last.bytes.equals(body.subarray(999))).toBe(true);
        const open = await read(990);
        expect(open.bytes.equals(body.subarray(990))).toBe(true);
        expect(open.got).toMatchObject({ size: 10, range: { start: 990, end: 999 } });
      });

      it('clamps an end past the object, as HTTP does', async () => {
        const past = await read(995, 5000);
        expect(past.bytes.equals(body.subarray(995))).toBe(true);
        expect(past.got).toMatchObject({ size: 5, range: { start: 995, end: 999 } });
      });

      it('refuses ranges outside the object or malformed', async () => {
        await expectCode(store.get(key, { range: { start: 1000 } }), 'INVALID_RANGE');
        await expectCode(store.get(key, { range: { start: 5000, end: 6000 } }), 'INVALID_RANGE');
        await expectCode(store.get(key, { range: { start: -1 } }), 'INVALID_RANGE');
        await expectCode(store.get(key, { range: { start: 10, end: 5 } }), 'INVALID_RANGE');
        await expectCode(store.get(key, { range: { start: 1.5 } }), 'INVALID_RANGE');
        await expectCode(store.get(k('range/missing.wav'), { range: { start: 0 } }), 'NOT_FOUND');
      });
    });

    describe('list and deletePrefix', () => {
      it(`pages through ${listingKeys} keys`, async () => {
        const body = makeWav(64, 50);
        const keys = Array.from({ length: listingKeys }, (_, i) => k(`many/${String(i).padStart(5, '0')}.wav`));
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(keys.slice(i, i + 50).map((key) => store.put(body, { key })));
        }
        const listed = await collect(store.list(k('many/')));
        expect(listed.length).toBe(listingKeys);
        expect(listed.map((i) => i.key).sort()).toEqual(keys);
        expect(listed.every((i) => i.size === 64 && i.contentType === 'audio/wav')).toBe(true);
        expect(await store.deletePrefix(k('many/'))).toBe(listingKeys);
        expect(await collect(store.list(k('many/')))).toEqual([]);
      });

      it("keeps 'a/a/' apart from 'a/aaa/'", async () => {
        const body = makeWav(64, 51);
        for (const key of ['a/a/x.wav', 'a/a/y/z.wav', 'a/aaa/x.wav', 'a/a.wav', 'a/ab.wav']) await store.put(body, { key: k(key) });
        const under = async (p: string) => (await collect(store.list(k(p)))).map((i) => i.key.slice(run.length)).sort();
        expect(await under('a/a/')).toEqual(['a/a/x.wav', 'a/a/y/z.wav']);
        expect(await under('a/a')).toEqual(['a/a.wav', 'a/a/x.wav', 'a/a/y/z.wav', 'a/aaa/x.wav', 'a/ab.wav']);
        expect(await store.deletePrefix(k('a/a/'))).toBe(2);
        expect(await under('a/')).toEqual(['a/a.wav', 'a/aaa/x.wav', 'a/ab.wav']);
      });

      it('describes each listed object fully', async () => {
        const key = k('listing/one.wav');
        await store.put(makeWav(321, 52), { key, metadata: { Who: 'me' } });
        const [info] = await collect(store.list(k('listing/')));
        expect(info).toMatchObject({ key, size: 321, contentType: 'audio/wav', metadata: { Who: 'me' } });
        expect(info?.lastModified).toBeInstanceOf(Date);
      });

      it('lists nothing for an unused prefix', async () => {
        expect(await collect(store.list(k('nothing-here/')))).toEqual([]);
        expect(await store.deletePrefix(k('nothing-here/'))).toBe(0);
      });
    });

    describe('bad bodies lose nothing', () => {
      const key = k('bad/target.wav');
      const original = makeWav(600, 60);
      const intact = async () => {
        expect((await readAll((await store.get(key)).body)).equals(original)).toBe(true);
        const stray = (await collect(store.list(k('bad/')))).map((i) => i.key);
        expect(stray).toEqual([key]);
      };

      it('refuses an empty body', async () => {
        await store.put(original, { key });
        await expectCode(store.put(new Uint8Array(0), { key }), 'EMPTY_BODY');
        await expectCode(store.put(Readable.from([]), { key }), 'EMPTY_BODY');
        await expectCode(store.put(new Blob([]), { key: k('bad/new.wav') }), 'EMPTY_BODY');
        await intact();
      });

      it('refuses a body over maxBytes, whole or streamed', async () => {
        await store.put(makeWav(CONFORMANCE_MAX_BYTES, 61), { key: k('bad/exact.wav') });
        await store.delete(k('bad/exact.wav'));
        await expectCode(store.put(makeWav(CONFORMANCE_MAX_BYTES + 1, 62), { key }), 'TOO_LARGE');
        await expectCode(store.put(wavStream(CONFORMANCE_MAX_BYTES + 1, 64 * 1024, 63), { key }), 'TOO_LARGE');
        await expectCode(store.put(wavStream(CONFORMANCE_MAX_BYTES * 3, 64 * 1024, 64), { key: k('bad/new.wav') }), 'TOO_LARGE');
        await intact();
      });

      it('refuses bytes that are not audio', async () => {
        const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000010000000100802000000909168360000000c49444154789c636000000000040001f61738550000000049454e44ae426082', 'hex');
        await expectCode(store.put(png, { key, contentType: 'audio/wav' }), 'UNSUPPORTED_TYPE');
        await expectCode(store.put(Buffer.from('just some text, not audio at all'), { key }), 'UNSUPPORTED_TYPE');
        await expectCode(store.put(Readable.from([Buffer.alloc(10_000, 7)]), { key: k('bad/new.wav') }), 'UNSUPPORTED_TYPE');
        await intact();
      });

      it('refuses a body whose stream breaks mid-way', async () => {
        const err = await store.put(brokenStream(makeWav(100_000, 65)), { key }).catch((e: unknown) => e);
        expect(isAudioStoreError(err, 'BACKEND_ERROR')).toBe(true);
        expect((err as Error).message).toContain('client went away');
        await intact();
      });
    });

    describe('status and selfTest', () => {
      it('reports a healthy connection', async () => {
        const status = await store.status();
        expect(status.storageType).toBe(store.storageType);
        expect(status.connection.ok).toBe(true);
        expect(status.connection.latencyMs).toBeGreaterThanOrEqual(0);
        expect(status.env.AWS_S3_BUCKET === 'set' || status.env.AWS_S3_BUCKET === 'missing').toBe(true);
        expect(Array.isArray(status.warnings)).toBe(true);
      });

      it('passes a real round trip and leaves no canary', async () => {
        const result = await store.selfTest();
        expect(result.steps.map((s) => s.name)).toEqual(['put', 'get', 'range', 'url', 'delete', 'confirm-deleted']);
        expect(result.steps.filter((s) => !s.ok)).toEqual([]);
        expect(result.ok).toBe(true);
        if (backend) {
          const left: string[] = [];
          for await (const entry of backend.list('.audio-store/selftest/')) left.push(entry.key);
          expect(left).toEqual([]);
        }
      });
    });
  });
}
