import { afterAll, expect, it } from 'vitest';
import { createAudioStore } from '../src/index.js';
import { makeWav, runBackendConformance } from '../src/testing/index.js';
import { createFakeS3 } from './support/fake-s3.js';

// The whole suite through createAudioStore() and the real S3 driver, with only the transport faked:
// aws-sdk-client-mock stands in for the network, and the fake keeps state like S3 does.
const fake = createFakeS3({ bucket: 'voice-notes' });

runBackendConformance('s3 (aws-sdk-client-mock)', ({ maxBytes }) =>
  createAudioStore({
    backend: 's3',
    s3: { bucket: 'voice-notes', client: fake.client, prefix: 'tenant-1/' },
    maxBytes,
    logger: false,
    startupCheck: false,
  }),
);

afterAll(() => {
  // Every object the suite wrote was under its prefix and has been deleted; no upload was left open.
  expect([...fake.objects.keys()]).toEqual([]);
  expect([...fake.multipartUploads.keys()]).toEqual([]);
});

it('refuses a key that only the configured prefix pushes past 1024 bytes', async () => {
  const store = createAudioStore({ backend: 's3', s3: { bucket: 'voice-notes', client: fake.client, prefix: 'tenant-1/' }, logger: false, startupCheck: false });
  const key = 'k'.repeat(1020);
  await expect(store.put(new Uint8Array(makeWav(100)), { key })).rejects.toMatchObject({ code: 'INVALID_KEY', key });
  await expect(store.get(key)).rejects.toMatchObject({ code: 'INVALID_KEY' });
});
