// The operations being measured, shared by the in-process throughput runs (bench/run.mjs) and the
// fresh-process memory runs (bench/memory-child.mjs), so that both time exactly the same code.
//
// Each op takes (size, name, tick) and resolves to the number of bytes it moved; `tick` is called
// per chunk (the memory sampler uses it). Objects are named `bench/<name>.wav`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadAudioStore } from './package.mjs';
import { MiB, nullSink, wavSource } from './lib.mjs';

const { createAudioStore } = await loadAudioStore();

/** Large enough for every size measured: the default 25 MiB limit would refuse 100 MiB. */
export const MAX_BYTES = 1024 * MiB;
/** What the S3 backend uses by default (src/backends/s3/config.ts); the raw baseline uses the same. */
export const S3_PART_SIZE = 8 * MiB;
export const S3_QUEUE_SIZE = 4;

const keyOf = (name) => `bench/${name}.wav`;

async function* hashing(source) {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  hash.digest('hex');
}

async function drain(body, tick) {
  const sink = nullSink(tick);
  await pipeline(body, sink);
  return sink.bytes;
}

/**
 * Local disk: audio-store's local backend in `<dir>/store`, and the raw fs baselines in
 * `<dir>/raw`. The get baseline reads the very file the store wrote, so both read the same bytes
 * in the same page-cache state.
 */
export function localOps(dir) {
  const storeDir = path.join(dir, 'store');
  const rawDir = path.join(dir, 'raw');
  fs.mkdirSync(rawDir, { recursive: true });
  const store = createAudioStore({
    backend: 'local',
    local: { dir: storeDir },
    maxBytes: MAX_BYTES,
    logger: false,
    startupCheck: false,
  });
  const rawFile = (name) => path.join(rawDir, `${name}.wav`);
  const storeFile = (name) => path.join(storeDir, keyOf(name));

  return {
    store,
    put: {
      'audio-store': async (size, name, tick) => (await store.put(wavSource(size, { onChunk: tick }), { key: keyOf(name), contentType: 'audio/wav' })).size,
      baseline: async (size, name, tick) => {
        const out = fs.createWriteStream(rawFile(name));
        await pipeline(wavSource(size, { onChunk: tick }), out);
        return out.bytesWritten;
      },
      // Not the baseline: the same raw write made durable (fsync before close), as audio-store's is.
      'baseline + fsync': async (size, name, tick) => {
        const out = fs.createWriteStream(rawFile(name), { flush: true });
        await pipeline(wavSource(size, { onChunk: tick }), out);
        return out.bytesWritten;
      },
    },
    get: {
      'audio-store': async (_size, name, tick) => drain((await store.get(keyOf(name))).body, tick),
      baseline: async (_size, name, tick) => drain(fs.createReadStream(storeFile(name)), tick),
      // Not the baseline: what the local backend itself streams from (an open FileHandle's stream).
      'FileHandle stream': async (_size, name, tick) => {
        const handle = await fs.promises.open(storeFile(name), 'r');
        const { size } = await handle.stat();
        return drain(handle.createReadStream({ start: 0, end: size - 1 }), tick);
      },
      // Not the baseline: the same open file read through fs.createReadStream on its descriptor.
      'fd stream': async (_size, name, tick) => {
        const handle = await fs.promises.open(storeFile(name), 'r');
        try {
          const { size } = await handle.stat();
          return await drain(fs.createReadStream('', { fd: handle.fd, start: 0, end: size - 1, autoClose: false }), tick);
        } finally {
          await handle.close();
        }
      },
    },
    /** Makes `name` exist for the get ops. */
    prepare: (size, name) => store.put(wavSource(size), { key: keyOf(name), contentType: 'audio/wav' }),
    async remove(name) {
      await store.delete(keyOf(name));
      await fs.promises.rm(rawFile(name), { force: true });
    },
    close: async () => {},
  };
}

/**
 * S3: audio-store's S3 backend against `target`, and a raw `@aws-sdk/lib-storage` Upload /
 * GetObject with the same part size, queue size and checksum settings as the baseline.
 */
export async function s3Ops(target) {
  const { S3Client, GetObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const credentials = { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey };
  const client = new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials,
    // audio-store sets these for any custom endpoint; the baseline must not pay for CRC32 alone.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The same time limits audio-store's own client has (src/backends/s3/client-config.ts).
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000, throwOnRequestTimeout: true },
  });
  const store = createAudioStore({
    backend: 's3',
    s3: {
      bucket: target.bucket,
      endpoint: target.endpoint,
      region: target.region,
      forcePathStyle: true,
      credentials,
      partSize: S3_PART_SIZE,
      queueSize: S3_QUEUE_SIZE,
    },
    maxBytes: MAX_BYTES,
    logger: false,
    startupCheck: false,
  });
  const rawKey = (name) => `raw/${name}.wav`;
  const upload = (Body, name) =>
    new Upload({
      client,
      params: { Bucket: target.bucket, Key: rawKey(name), Body, ContentType: 'audio/wav' },
      partSize: S3_PART_SIZE,
      queueSize: S3_QUEUE_SIZE,
      leavePartsOnError: false,
    }).done();

  return {
    store,
    put: {
      'audio-store': async (size, name, tick) => (await store.put(wavSource(size, { onChunk: tick }), { key: keyOf(name), contentType: 'audio/wav' })).size,
      baseline: async (size, name, tick) => {
        await upload(wavSource(size, { onChunk: tick }), name);
        return size;
      },
      // Not the baseline: the raw Upload fed what audio-store feeds it, a stream that SHA-256-hashes
      // each chunk on its way through an async generator. Separates the cost of the checksum from the rest.
      'raw Upload + SHA-256': async (size, name, tick) => {
        await upload(Readable.from(hashing(wavSource(size, { onChunk: tick })), { objectMode: false }), name);
        return size;
      },
    },
    get: {
      'audio-store': async (_size, name, tick) => drain((await store.get(keyOf(name))).body, tick),
      baseline: async (_size, name, tick) => drain((await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: keyOf(name) }))).Body, tick),
    },
    prepare: (size, name) => store.put(wavSource(size), { key: keyOf(name), contentType: 'audio/wav' }),
    async remove(name) {
      await store.delete(keyOf(name));
      await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: rawKey(name) }));
    },
    close: async () => client.destroy(),
  };
}

export const makeOps = (target) => (target.kind === 's3' ? s3Ops(target) : localOps(target.dir));
