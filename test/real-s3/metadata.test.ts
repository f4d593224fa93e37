import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAudioStore } from '../../src/index.js';
import { makeWav } from '../../src/testing/index.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const target = realS3Target();

// Ceph RGW hands metadata names back with "_" turned into "-" (it keeps them as CGI-style
// variables); the driver records such names so that they come back as written.
describe.skipIf(!target)('real S3: metadata names', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);

  it('keeps underscores and capitals in names through get, head and list', async () => {
    const store = createAudioStore({ env: bucket.env(), logger: false, startupCheck: false });
    const metadata = { call_id: 'c-1', Mixed_Case: 'M', 'dash-ed': 'd', plain: 'p', trail_: 'u', 'dots.and_under': 'x' };
    const key = 'meta/underscores.wav';
    await store.put(makeWav(500, 1), { key, metadata });

    const got = await store.get(key);
    got.body.destroy();
    expect(got.metadata).toEqual(metadata);
    expect((await store.head(key)).metadata).toEqual(metadata);
    const listed = [];
    for await (const info of store.list('meta/')) listed.push(info.metadata);
    expect(listed).toEqual([metadata]);

    // What the server itself returns, for the record: on Ceph the underscores are gone.
    const raw = await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: bucket.prefix + key }));
    const names = Object.keys(raw.Metadata ?? {});
    if (target.server === 'ceph') expect(names).toContain('call-id');
    expect(names).toContain('plain');
  });
});
