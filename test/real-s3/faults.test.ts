import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AudioStoreError, createAudioStore, isAudioStoreError, type AudioStore } from '../../src/index.js';
import { makeWav, readAll, wavStream } from '../../src/testing/index.js';
import { firstMatching, INTERNAL_ERROR, SLOW_DOWN, startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const target = realS3Target();
const MIB = 1024 * 1024;

// The proxy forwards plain HTTP and keeps the Host header: fine for Ceph, MinIO and other local
// stores, not for AWS or R2 over TLS.
describe.skipIf(!target || !target.endpoint.startsWith('http:'))('real S3: faults between the driver and the server', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);
  let proxy: FaultProxy;
  let store: AudioStore;
  /** The key as stored in the bucket, which is what the proxy sees. */
  const stored = (key: string) => bucket.prefix + key;
  const on = (op: ProxiedRequest['op'], key: string) => (r: ProxiedRequest) => r.op === op && r.key === stored(key);
  const statuses = (op: ProxiedRequest['op'], key: string) => proxy.seen(op, stored(key)).map((e) => e.status ?? e.action);

  beforeAll(async () => {
    proxy = await startFaultProxy(target.endpoint);
    store = createAudioStore({
      env: bucket.env({ AWS_ENDPOINT_URL_S3: proxy.endpoint, AUDIO_STORE_MAX_BYTES: String(32 * MIB) }),
      logger: false,
      startupCheck: false,
    });
  });
  afterEach(() => {
    proxy.setRule(undefined);
    proxy.clearLog();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  describe('transient 503 SlowDown and 500 InternalError', () => {
    it('are retried on PutObject and the put succeeds', async () => {
      const key = 'transient/put.wav';
      const body = makeWav(40_000, 1);
      proxy.setRule(firstMatching(2, on('PutObject', key), SLOW_DOWN));
      const saved = await store.put(body, { key });
      expect(saved.size).toBe(body.length);
      expect(statuses('PutObject', key)).toEqual([503, 503, 200]);

      proxy.clearLog();
      const second = makeWav(41_000, 2);
      proxy.setRule(firstMatching(1, on('PutObject', key), INTERNAL_ERROR));
      await store.put(second, { key });
      expect(statuses('PutObject', key)).toEqual([500, 200]);
      expect((await readAll((await store.get(key)).body)).equals(second)).toBe(true);
    });

    it('are retried on GetObject and the get returns the whole body', async () => {
      const key = 'transient/get.wav';
      const body = makeWav(60_000, 3);
      await store.put(body, { key });
      proxy.clearLog();
      let n = 0;
      proxy.setRule((r) => (on('GetObject', key)(r) && n++ < 2 ? (n === 1 ? INTERNAL_ERROR : SLOW_DOWN) : undefined));
      const got = await store.get(key);
      expect((await readAll(got.body)).equals(body)).toBe(true);
      expect(statuses('GetObject', key)).toEqual([500, 503, 200]);
    });

    it('fail the call once the retries are used up, leaving the earlier object alone', async () => {
      const key = 'transient/give-up.wav';
      const original = makeWav(30_000, 4);
      await store.put(original, { key });
      proxy.clearLog();
      proxy.setRule(firstMatching(Infinity, on('PutObject', key), SLOW_DOWN));
      const err = await store.put(makeWav(30_000, 5), { key }).catch((e: unknown) => e);
      expect(isAudioStoreError(err), String(err)).toBe(true);
      // The SDK's standard retry mode: three attempts in all.
      expect(statuses('PutObject', key)).toEqual([503, 503, 503]);
      proxy.setRule(undefined);
      expect((await readAll((await store.get(key)).body)).equals(original)).toBe(true);
    });
  });

  it('abort a multipart upload whose part keeps failing: typed error, no orphaned upload, old object intact', { timeout: 120_000 }, async () => {
    const fresh = 'multipart/fresh.wav';
    const existing = 'multipart/existing.wav';
    const original = makeWav(50_000, 6);
    await store.put(original, { key: existing });
    proxy.clearLog();

    // Every attempt at part 2 has its connection reset a quarter MiB into the body; everything
    // else (parts 1 and 3, AbortMultipartUpload) passes.
    proxy.setRule((r) => (r.op === 'UploadPart' && r.query.get('partNumber') === '2' ? { kind: 'reset-request', afterBytes: MIB / 4 } : undefined));
    for (const [i, key] of [fresh, existing].entries()) {
      const err = await store.put(wavStream(17 * MIB + 5, 64 * 1024, 10 + i), { key }).catch((e: unknown) => e);
      expect(err, key).toBeInstanceOf(AudioStoreError);
      expect((err as AudioStoreError).code, String(err)).toBe('CONNECTION_FAILED');
      expect((err as AudioStoreError).key).toBe(key);

      const parts2 = proxy.seen('UploadPart', stored(key)).filter((e) => e.query.includes('partNumber=2'));
      expect(parts2.length, 'part 2 was retried').toBeGreaterThanOrEqual(2);
      expect(parts2.every((e) => e.action === 'reset-request')).toBe(true);
      expect(statuses('CreateMultipartUpload', key)).toEqual([200]);
      expect(statuses('AbortMultipartUpload', key)).toEqual([204]);
      expect(statuses('CompleteMultipartUpload', key)).toEqual([]);
    }
    proxy.setRule(undefined);

    expect(await bucket.listUploads()).toEqual([]);
    const head = await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: stored(fresh) })).catch((e: unknown) => e);
    expect((head as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(404);
    expect(await store.exists(fresh)).toBe(false);
    expect((await readAll((await store.get(existing)).body)).equals(original)).toBe(true);
    expect(await bucket.listKeys('multipart/')).toEqual([stored(existing)]);
  });

  describe('a GetObject response cut short', () => {
    const key = 'cut/body.wav';
    const body = makeWav(3 * MIB, 7);

    beforeAll(async () => {
      await store.put(body, { key });
    });

    for (const reset of [false, true]) {
      it(`errors the body stream instead of ending it short (connection ${reset ? 'reset' : 'closed'} half-way)`, async () => {
        proxy.setRule(firstMatching(1, on('GetObject', key), { kind: 'cut-response', afterBytes: 'half', reset }));
        const got = await store.get(key);
        expect(got.size).toBe(body.length);
        let received = 0;
        const hash = createHash('sha256');
        const err = await pipeline(got.body, async function* (source) {
          for await (const chunk of source) {
            received += (chunk as Buffer).length;
            hash.update(chunk as Buffer);
            yield chunk;
          }
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, `the body ended after ${received} of ${body.length} bytes without an error`).toBeInstanceOf(Error);
        expect(received).toBeLessThan(body.length);
        expect(statuses('GetObject', key)).toEqual([200]);

        // The next read is whole again.
        expect((await readAll((await store.get(key)).body)).equals(body)).toBe(true);
      });
    }

    it('errors a ranged body cut short too', async () => {
      proxy.setRule(firstMatching(1, on('GetObject', key), { kind: 'cut-response', afterBytes: 1000 }));
      const got = await store.get(key, { range: { start: 100, end: 100_099 } });
      expect(got.size).toBe(100_000);
      const err = await readAll(got.body).then(
        (bytes) => new Error(`ended after ${bytes.length} bytes without an error`),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).not.toMatch(/without an error/);
    });
  });

  it('waits out a slow server: a delayed HeadBucket still reports ok, with its latency', async () => {
    proxy.setRule((r) => (r.op === 'HeadBucket' ? { kind: 'delay', ms: 400 } : undefined));
    const status = await store.status();
    expect(status.connection.ok).toBe(true);
    expect(status.connection.latencyMs).toBeGreaterThanOrEqual(390);
    expect(proxy.seen('HeadBucket').map((e) => e.action)).toEqual(['delay']);
  });
});
