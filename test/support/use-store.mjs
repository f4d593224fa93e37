// Child process for test/package.test.ts: uses the built package the way an app would, then
// prints which @aws-sdk modules were resolved. argv: <esm|cjs> <local|s3> <dir>
import { createRequire } from 'node:module';

const [format, backend, dir] = process.argv.slice(2);
const lib = format === 'cjs' ? createRequire(import.meta.url)('audio-store') : await import('audio-store');

// The test helpers' WAV generator, from the package's own testing entry (it brings no AWS SDK).
const { makeWav } = await import('audio-store/testing');
const wav = makeWav(144);

const env =
  backend === 's3'
    ? { AWS_S3_BUCKET: 'voice-notes', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'id-for-test', AWS_SECRET_ACCESS_KEY: 'secret-for-test' }
    : { AUDIO_STORE_DIR: dir };
const store = lib.createAudioStore({ env, logger: false, startupCheck: false });
const result = { storageType: store.storageType };
if (backend === 's3') {
  result.connection = (await store.status()).connection.ok;
} else {
  const saved = await store.put(wav, { key: 'probe/voice.wav', metadata: { From: 'child' } });
  const got = await store.get(saved.key);
  const chunks = [];
  for await (const c of got.body) chunks.push(c);
  result.roundTrip = Buffer.concat(chunks).equals(wav);
  result.metadata = got.metadata;
  result.status = (await store.status()).connection.ok;
  result.selfTest = (await store.selfTest()).ok;
  await store.delete(saved.key);
  result.errorClass = await store.get('missing.wav').catch((e) => e instanceof lib.AudioStoreError && e.code);
}
result.awsLoaded = [...globalThis.__awsLoaded].sort();
console.log(JSON.stringify(result));
