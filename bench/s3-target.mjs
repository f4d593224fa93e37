// Finds (or starts) an S3 endpoint for the optional S3 section of the benchmarks.
//
//   AUDIO_STORE_BENCH_S3_ENDPOINT, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY, [_REGION], [_BUCKET]
//       use that endpoint. Without _BUCKET a scratch bucket is created and removed afterwards.
//   AUDIO_STORE_BENCH_S3=ceph
//       start a private throwaway Ceph RGW with scripts/s3-test-server.sh on its own ports and
//       directory (so it never touches one another engineer's tests are using), stop it afterwards.
//
// Anything else, or any failure to get a working endpoint: the S3 section is skipped with a reason.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'scripts', 's3-test-server.sh');

export const CEPH_ENV = {
  AUDIO_STORE_S3_DIR: process.env.AUDIO_STORE_BENCH_S3_DIR ?? '/tmp/bench-s3',
  AUDIO_STORE_S3_PORT: process.env.AUDIO_STORE_BENCH_S3_PORT ?? '17580',
  AUDIO_STORE_S3_MON_PORT: process.env.AUDIO_STORE_BENCH_S3_MON_PORT ?? '16889',
  // A run writes about 3 GiB in all, and RGW frees deleted objects only a minute or two later;
  // a full memstore silently hangs PUTs. RAM is taken only as it is used.
  AUDIO_STORE_S3_MEM_BYTES: process.env.AUDIO_STORE_BENCH_S3_MEM_BYTES ?? String(8 * 1024 ** 3),
};

function parseExports(text) {
  const vars = {};
  for (const m of text.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  return vars;
}

async function startCeph(log) {
  if (!fs.existsSync(SERVER)) return { skip: 'scripts/s3-test-server.sh not found' };
  log(`starting a private Ceph RGW on 127.0.0.1:${CEPH_ENV.AUDIO_STORE_S3_PORT} (state in ${CEPH_ENV.AUDIO_STORE_S3_DIR})`);
  const env = { ...process.env, ...CEPH_ENV };
  const stop = async () => {
    await run(SERVER, ['down'], { env, timeout: 60_000 }).catch((err) => log(`s3-test-server.sh down failed: ${err.message}`));
  };
  try {
    const { stdout } = await run(SERVER, ['up'], { env, timeout: 150_000, maxBuffer: 1 << 20 });
    const v = parseExports(stdout);
    if (!v.AUDIO_STORE_TEST_S3_ENDPOINT) throw new Error('no endpoint in its output');
    return {
      endpoint: v.AUDIO_STORE_TEST_S3_ENDPOINT,
      accessKeyId: v.AUDIO_STORE_TEST_S3_ACCESS_KEY_ID,
      secretAccessKey: v.AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY,
      region: v.AUDIO_STORE_TEST_S3_REGION ?? 'us-east-1',
      label: 'Ceph RGW (memstore, single node, on the same machine)',
      stop,
    };
  } catch (err) {
    await stop();
    const why = String(err.stderr ?? '').trim().split('\n').slice(-3).join(' / ') || err.message;
    return { skip: `could not start the Ceph test server: ${why}` };
  }
}

/** A usable S3 target (with `cleanup()`), or `{ skip: reason }`. */
export async function openS3Target(log) {
  const env = process.env;
  let server;
  if (env.AUDIO_STORE_BENCH_S3_ENDPOINT) {
    if (!env.AUDIO_STORE_BENCH_S3_ACCESS_KEY_ID || !env.AUDIO_STORE_BENCH_S3_SECRET_ACCESS_KEY) {
      return { skip: 'AUDIO_STORE_BENCH_S3_ENDPOINT is set but _ACCESS_KEY_ID or _SECRET_ACCESS_KEY is missing' };
    }
    server = {
      endpoint: env.AUDIO_STORE_BENCH_S3_ENDPOINT,
      accessKeyId: env.AUDIO_STORE_BENCH_S3_ACCESS_KEY_ID,
      secretAccessKey: env.AUDIO_STORE_BENCH_S3_SECRET_ACCESS_KEY,
      region: env.AUDIO_STORE_BENCH_S3_REGION ?? 'us-east-1',
      label: `${env.AUDIO_STORE_BENCH_S3_ENDPOINT} (AUDIO_STORE_BENCH_S3_ENDPOINT)`,
      stop: async () => {},
    };
  } else if (env.AUDIO_STORE_BENCH_S3 === 'ceph') {
    server = await startCeph(log);
    if (server.skip) return server;
  } else {
    return { skip: 'not requested (set AUDIO_STORE_BENCH_S3=ceph, or AUDIO_STORE_BENCH_S3_ENDPOINT and its credentials)' };
  }

  const { S3Client, CreateBucketCommand, DeleteBucketCommand, ListObjectsV2Command, DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Setup and clean-up only: a hung endpoint must not keep the run from stopping its server.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
    maxAttempts: 2,
  });
  const ownBucket = !env.AUDIO_STORE_BENCH_S3_BUCKET;
  const bucket = env.AUDIO_STORE_BENCH_S3_BUCKET ?? `audio-store-bench-${Date.now().toString(36)}`;

  async function emptyBench() {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: ownBucket ? undefined : 'bench/' }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (!ownBucket) {
        const raw = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'raw/' }));
        keys.push(...(raw.Contents ?? []).map((o) => ({ Key: o.Key })));
      }
      if (keys.length === 0) return;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
  }

  try {
    if (ownBucket) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    client.destroy();
    await server.stop();
    return { skip: `could not create bucket ${bucket}: ${err.name}: ${err.message}` };
  }
  return {
    target: { kind: 's3', endpoint: server.endpoint, region: server.region, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, bucket },
    label: server.label,
    async cleanup() {
      try {
        let timer;
        const deadline = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('emptying the bucket took over 60 s')), 60_000)));
        await Promise.race([emptyBench(), deadline]).finally(() => clearTimeout(timer));
        if (ownBucket) await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } catch (err) {
        log(`S3 clean-up failed: ${err.name}: ${err.message}`);
      } finally {
        client.destroy();
        await server.stop();
      }
    },
  };
}
