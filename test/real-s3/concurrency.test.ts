import { beforeAll, describe, expect, it } from 'vitest';
import { createAudioStore, type AudioStore } from '../../src/index.js';
import { makeWav, readAll } from '../../src/testing/index.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const target = realS3Target();

describe.skipIf(!target)('real S3: concurrency', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);
  let store: AudioStore;

  beforeAll(() => {
    store = createAudioStore({ env: bucket.env(), logger: false });
  });

  it('takes 200 concurrent voice-note puts, then 200 concurrent gets, all byte-exact', { timeout: 120_000 }, async () => {
    // 20-60 KB each, all different.
    const notes = Array.from({ length: 200 }, (_, i) => ({
      key: `notes/${String(i).padStart(3, '0')}.wav`,
      body: makeWav(20_000 + ((i * 7919) % 40_000), 1000 + i),
    }));
    const saved = await Promise.all(notes.map(({ key, body }) => store.put(body, { key, metadata: { n: String(key) } })));
    saved.forEach((s, i) => expect(s, notes[i]!.key).toMatchObject({ key: notes[i]!.key, size: notes[i]!.body.length }));

    const read = await Promise.all(
      notes.map(async ({ key }) => {
        const got = await store.get(key);
        return { got, bytes: await readAll(got.body) };
      }),
    );
    const wrong = read.filter(({ bytes }, i) => !bytes.equals(notes[i]!.body)).map(({ got }) => got.key);
    expect(wrong).toEqual([]);
    read.forEach(({ got }, i) => expect(got.metadata).toEqual({ n: notes[i]!.key }));
    expect((await bucket.listKeys('notes/')).length).toBe(200);
  });

  it('leaves exactly one whole body, with its own metadata, after 20 concurrent puts to one key', { timeout: 60_000 }, async () => {
    const key = 'race/one-key.wav';
    const bodies = Array.from({ length: 20 }, (_, i) => makeWav(30_000 + i * 1000, 5000 + i));
    const results = await Promise.allSettled(bodies.map((body, i) => store.put(body, { key, metadata: { writer: String(i) } })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    const got = await store.get(key);
    const final = await readAll(got.body);
    const winner = bodies.findIndex((b) => b.equals(final));
    expect(winner, 'the stored body is one of the writers\' bodies').toBeGreaterThanOrEqual(0);
    expect(got.size).toBe(final.length);
    // Body and metadata come from the same writer.
    expect(got.metadata).toEqual({ writer: String(winner) });
    expect((await store.head(key)).size).toBe(bodies[winner]!.length);
    expect(await bucket.listKeys('race/')).toEqual([bucket.prefix + key]);
    expect(await bucket.listUploads('race/')).toEqual([]);
  });
});
