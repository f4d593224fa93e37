import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StorageBackend } from '../../src/backend.js';
import { createS3Backend, type S3BackendConfig } from '../../src/backends/s3/index.js';
import { decodeMetadata, encodeMetadata, NAMES_ENTRY } from '../../src/backends/s3/metadata.js';
import { AudioStoreError, isAudioStoreError } from '../../src/errors.js';
import { createFakeS3, type FakeS3 } from '../support/fake-s3.js';

const MiB = 1024 * 1024;
const BUCKET = 'voice-bucket';
const CREDENTIALS = { accessKeyId: 'AKIATESTTESTTEST', secretAccessKey: 'test-secret-never-shown' };

function body(...chunks: Array<string | Buffer>): Readable {
  return Readable.from(chunks.map((c) => Buffer.from(c)));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Bytes that differ per position, so a misplaced slice shows. */
function pattern(size: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

let fake: FakeS3;
function backendOn(f: FakeS3, config: Partial<S3BackendConfig> = {}): StorageBackend {
  return createS3Backend({ bucket: f.bucket, prefix: '', client: f.client, ...config });
}

beforeEach(() => {
  fake = createFakeS3({ bucket: BUCKET });
});
afterEach(() => {
  fake.mock.restore();
});

describe('createS3Backend', () => {
  it('loads no @aws-sdk module until the first operation, then only what it needs', async () => {
    const loaded: string[] = [];
    const track = (name: string) => async (importOriginal: () => Promise<unknown>) => {
      loaded.push(name);
      return importOriginal();
    };
    vi.resetModules();
    vi.doMock('@aws-sdk/client-s3', track('client-s3'));
    vi.doMock('@aws-sdk/lib-storage', track('lib-storage'));
    vi.doMock('@aws-sdk/s3-request-presigner', track('s3-request-presigner'));
    try {
      const fresh = await import('../../src/backends/s3/index.js');
      const backend = fresh.createS3Backend({ bucket: BUCKET, prefix: '', region: 'eu-west-1', credentials: CREDENTIALS });
      const publicBackend = fresh.createS3Backend({ bucket: BUCKET, prefix: '', client: fake.client, publicUrl: 'https://cdn.example.com' });
      expect(backend.describe?.()).toEqual({ bucket: BUCKET, region: 'eu-west-1' });
      await publicBackend.url('a.ogg', { expiresIn: 60 });
      expect(loaded).toEqual([]);

      fake.seed('a.ogg', 'x');
      const injected = fresh.createS3Backend({ bucket: BUCKET, prefix: '', client: fake.client });
      await injected.head('a.ogg');
      expect(loaded).toEqual(['client-s3']);
      await injected.url('a.ogg', { expiresIn: 60 });
      expect(loaded).toEqual(['client-s3', 's3-request-presigner']);
      await injected.put({ key: 'b.ogg', body: body('y'), contentType: 'audio/ogg', metadata: {} });
      expect(loaded).toEqual(['client-s3', 's3-request-presigner', 'lib-storage']);
    } finally {
      vi.doUnmock('@aws-sdk/client-s3');
      vi.doUnmock('@aws-sdk/lib-storage');
      vi.doUnmock('@aws-sdk/s3-request-presigner');
      vi.resetModules();
    }
  });

  it('describes itself as persistent s3 storage', () => {
    const backend = backendOn(fake);
    expect(backend.name).toBe('s3');
    expect(backend.persistent).toBe(true);
  });

  it.each([
    ['a part size under 5 MiB', { partSize: 5 * MiB - 1 }],
    ['a queue size of 0', { queueSize: 0 }],
    ['a client without send()', { client: { config: {} } }],
  ])('rejects %s with NOT_CONFIGURED', (_what, config) => {
    expect(() => createS3Backend({ bucket: BUCKET, prefix: '', client: fake.client, ...config })).toThrow(
      expect.objectContaining({ code: 'NOT_CONFIGURED' }),
    );
  });

  it('uses an injected client as is', async () => {
    const injected = new S3Client({ region: 'eu-central-1', credentials: CREDENTIALS });
    const mock = mockClient(injected);
    mock.on(HeadBucketCommand).resolves({});
    const created = vi.spyOn(S3Client.prototype, 'send').mockImplementation(async () => {
      throw new Error('a client other than the injected one was used');
    });
    try {
      await createS3Backend({ bucket: BUCKET, prefix: '', client: injected }).check();
      expect(mock.commandCalls(HeadBucketCommand)).toHaveLength(1);
      expect(mock.call(0).thisValue).toBe(injected);
      expect(mock.commandCalls(HeadBucketCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET });
      expect(created).not.toHaveBeenCalled();
    } finally {
      created.mockRestore();
      mock.restore();
    }
  });
});

describe('client configuration', () => {
  async function createdClient(config: Omit<S3BackendConfig, 'bucket' | 'prefix'>): Promise<S3Client> {
    const mock = mockClient(S3Client);
    mock.on(HeadBucketCommand).resolves({});
    try {
      await createS3Backend({ bucket: BUCKET, prefix: '', ...config }).check();
      return mock.call(0).thisValue as S3Client;
    } finally {
      mock.restore();
    }
  }

  beforeEach(() => {
    vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', undefined);
    vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('asks for checksums only when required, with path-style addressing, for a custom endpoint', async () => {
    const client = await createdClient({ endpoint: 'http://minio.internal:9000', credentials: CREDENTIALS });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.credentials()).toMatchObject(CREDENTIALS);
  });

  it('keeps the SDK defaults for AWS itself', async () => {
    const client = await createdClient({ region: 'eu-west-1' });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('honours an explicit checksum mode and path style', async () => {
    const client = await createdClient({ endpoint: 'https://r2.example.com', checksumMode: 'WHEN_SUPPORTED', forcePathStyle: false, region: 'auto' });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(client.config.forcePathStyle).toBe(false);
  });

  it('never sends or reports userinfo from the endpoint', async () => {
    const endpoint = 'http://minio-user:minio-password@minio.internal:9000';
    const client = await createdClient({ endpoint, credentials: CREDENTIALS });
    const resolved = await client.config.endpoint?.();
    expect(resolved?.hostname).toBe('minio.internal');
    expect(JSON.stringify(resolved)).not.toContain('minio-password');
    const backend = createS3Backend({ bucket: BUCKET, prefix: '', endpoint, region: 'us-east-1' });
    expect(backend.describe?.()).toEqual({ bucket: BUCKET, region: 'us-east-1', endpoint: 'http://minio.internal:9000' });
  });

  it('fails fast with CONNECTION_FAILED on a closed port, with bounded timeouts', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const send = vi.spyOn(S3Client.prototype, 'send');
    try {
      const backend = createS3Backend({ bucket: BUCKET, prefix: '', endpoint: `http://127.0.0.1:${port}`, credentials: CREDENTIALS });
      const started = Date.now();
      const err = await rejection(backend.check());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(backend.classifyError?.(err)).toBe('CONNECTION_FAILED');
      expect((err as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
      const client = send.mock.contexts[0] as S3Client;
      const handler = client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> };
      expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: 5_000, requestTimeout: 120_000, throwOnRequestTimeout: true });
    } finally {
      send.mockRestore();
    }
  });
});

describe('metadata', () => {
  const metadata = {
    UserId: 'u_42',
    Title: 'Grüße aus Köln — 你好 👋',
    'x-Trace.id': '  two  spaces  ',
    percent: '100%25 sure%',
    empty: '',
    Transcript: 'Привет! '.repeat(60),
  };

  it('keeps names in their case and values unchanged through get, head and list', async () => {
    const backend = backendOn(fake);
    await backend.put({ key: 'note.ogg', body: body('OggS'), contentType: 'audio/ogg', metadata });
    expect((await backend.head('note.ogg')).metadata).toEqual(metadata);
    const got = await backend.get('note.ogg');
    await readAll(got.body);
    expect(got.metadata).toEqual(metadata);
    expect(await collect(backend.list(''))).toEqual([expect.objectContaining({ key: 'note.ogg', size: 4 })]);
  });

  it('stores lowercase names and printable-ASCII values only, as S3 requires', async () => {
    const backend = backendOn(fake);
    await backend.put({ key: 'note.ogg', body: body('OggS'), contentType: 'audio/ogg', metadata });
    const stored = fake.objects.get('note.ogg')?.metadata ?? {};
    expect(Object.keys(stored).sort()).toEqual([NAMES_ENTRY, 'empty', 'percent', 'title', 'transcript', 'userid', 'x-trace.id']);
    for (const value of Object.values(stored)) expect(value).toMatch(/^[\x21-\x7e]+$/);
    expect(stored.userid).toBe('u_42');
    const size = Object.entries(stored).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
    expect(size).toBeLessThanOrEqual(2048);
  });

  it('round-trips any well-formed names and values through what S3 keeps', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/);
    const entries = fc.uniqueArray(fc.tuple(name, fc.string({ unit: 'grapheme', maxLength: 20 })), {
      maxLength: 6,
      selector: ([n]) => n.toLowerCase(),
    });
    fc.assert(
      fc.property(entries, (list) => {
        const original = Object.fromEntries(list.filter(([n]) => !n.toLowerCase().startsWith('audio-store-')));
        // What S3 hands back: lowercase names, values trimmed as HTTP trims them.
        const returned = Object.fromEntries(
          Object.entries(encodeMetadata(original, 'k')).map(([n, v]) => [n.toLowerCase(), v.trim()]),
        );
        expect(decodeMetadata(returned)).toEqual(original);
      }),
    );
  });

  it('reads objects written by other tools: lowercase names, RFC 2047 values decoded', async () => {
    fake.seed('foreign.ogg', 'OggS', {
      metadata: { Foo: 'Bar Baz', title: '=?UTF-8?B?0JfQsNC/0LjRgdGM?=', note: '=?utf-8?Q?caf=C3=A9_au_lait?=', raw: '100%zz' },
    });
    expect((await backendOn(fake).head('foreign.ogg')).metadata).toEqual({
      foo: 'Bar Baz',
      title: 'Запись',
      note: 'café au lait',
      raw: '100%zz',
    });
  });

  it('rejects metadata too large for S3 once encoded, before any request', async () => {
    const backend = backendOn(fake);
    const source = body('OggS');
    const err = await rejection(
      backend.put({ key: 'big.ogg', body: source, contentType: 'audio/ogg', metadata: { Note: 'é'.repeat(800) } }),
    );
    expect(isAudioStoreError(err, 'INVALID_METADATA')).toBe(true);
    expect(fake.mock.calls()).toHaveLength(0);
    expect(source.destroyed).toBe(true);
  });

  it('rejects a value with an unpaired surrogate, which has no UTF-8 form', () => {
    expect(() => encodeMetadata({ a: 'x\uD800y' }, 'k')).toThrow(expect.objectContaining({ code: 'INVALID_METADATA' }));
  });
});

describe('prefix', () => {
  it('is prepended to every key in the bucket and stripped from listings', async () => {
    const backend = backendOn(fake, { prefix: 'voice/' });
    fake.seed('other/outside.ogg', 'x');
    fake.seed('voice-not-ours.ogg', 'x');
    await backend.put({ key: 'a/1.ogg', body: body('one'), contentType: 'audio/ogg', metadata: {} });
    expect([...fake.objects.keys()].sort()).toEqual(['other/outside.ogg', 'voice-not-ours.ogg', 'voice/a/1.ogg']);

    expect((await readAll((await backend.get('a/1.ogg')).body)).toString()).toBe('one');
    expect((await backend.head('a/1.ogg')).key).toBe('a/1.ogg');
    expect((await collect(backend.list(''))).map((e) => e.key)).toEqual(['a/1.ogg']);
    expect((await collect(backend.list('a/'))).map((e) => e.key)).toEqual(['a/1.ogg']);
    expect(fake.mock.commandCalls(ListObjectsV2Command).at(-1)?.args[0].input.Prefix).toBe('voice/a/');
    expect(new URL(await backend.url('a/1.ogg', { expiresIn: 60 })).pathname).toBe('/voice/a/1.ogg');

    await backend.delete('a/1.ogg');
    expect(fake.objects.has('voice/a/1.ogg')).toBe(false);
    expect(fake.objects.size).toBe(2);
  });
});

describe('list', () => {
  it('pages through more than 1000 keys', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `rec/${String(i).padStart(5, '0')}.ogg`);
    for (const key of keys) fake.seed(key, 'x');
    fake.seed('zzz/other.ogg', 'x');
    const listed = await collect(backendOn(fake).list('rec/'));
    expect(listed.map((e) => e.key)).toEqual(keys);
    expect(fake.mock.commandCalls(ListObjectsV2Command)).toHaveLength(3);
    expect(listed[0]).toEqual({ key: keys[0], size: 1, lastModified: expect.any(Date), etag: fake.objects.get(keys[0] ?? '')?.etag });
  });

  it('continues after the last key when a store truncates without a token', async () => {
    const backend = backendOn(fake);
    for (const key of ['a', 'b', 'c']) fake.seed(key, 'x');
    fake.mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'a', Size: 1 }, { Key: 'b', Size: 1 }], IsTruncated: true })
      .resolvesOnce({ Contents: [{ Key: 'c', Size: 1 }], IsTruncated: false });
    expect((await collect(backend.list(''))).map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(fake.mock.commandCalls(ListObjectsV2Command)[1]?.args[0].input.StartAfter).toBe('b');
  });

  it('skips folder markers', async () => {
    fake.seed('voice/', '');
    fake.seed('voice/2024/', '');
    fake.seed('voice/2024/a.ogg', 'x');
    const listed = await collect(backendOn(fake, { prefix: 'voice/' }).list(''));
    expect(listed.map((e) => e.key)).toEqual(['2024/a.ogg']);
  });
});

describe('put', () => {
  it('sends one PutObject below the part size', async () => {
    const result = await backendOn(fake).put({ key: 'small.ogg', body: body('Ogg', 'S!'), contentType: 'audio/ogg', metadata: {} });
    const stored = fake.objects.get('small.ogg');
    expect(stored?.body.toString()).toBe('OggS!');
    expect(stored?.contentType).toBe('audio/ogg');
    expect(result).toEqual({ etag: stored?.etag });
    expect(fake.mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(fake.mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('uploads in parts above the part size', async () => {
    const bytes = pattern(12 * MiB + 123);
    const chunks = Array.from({ length: 13 }, (_, i) => bytes.subarray(i * MiB, (i + 1) * MiB));
    const result = await backendOn(fake, { partSize: 5 * MiB, queueSize: 2 }).put({
      key: 'long.webm',
      body: Readable.from(chunks),
      contentType: 'audio/webm',
      metadata: { Speaker: 'Zoë' },
    });
    const stored = fake.objects.get('long.webm');
    expect(stored?.body.equals(bytes)).toBe(true);
    expect(stored?.contentType).toBe('audio/webm');
    expect(result.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(fake.mock.commandCalls(UploadPartCommand)).toHaveLength(3);
    expect(fake.mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect((await backendOn(fake).head('long.webm')).metadata).toEqual({ Speaker: 'Zoë' });
  });

  it('aborts the multipart upload when the body errors after the first part, keeping the earlier object', async () => {
    const backend = backendOn(fake, { partSize: 5 * MiB });
    await backend.put({ key: 'k.ogg', body: body('earlier'), contentType: 'audio/ogg', metadata: { V: '1' } });

    const source = new Readable({ read() {} });
    source.push(pattern(6 * MiB));
    const putting = backend.put({ key: 'k.ogg', body: source, contentType: 'audio/ogg', metadata: { V: '2' } });
    await vi.waitFor(() => expect([...fake.multipartUploads.values()][0]?.parts.size).toBe(1));
    const tooLarge = new AudioStoreError('TOO_LARGE', 'Body is larger than 6 MiB', { key: 'k.ogg' });
    source.destroy(tooLarge);

    await expect(putting).rejects.toBe(tooLarge);
    expect(fake.mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(fake.mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    const uploads = await fake.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(uploads.Uploads ?? []).toEqual([]);
    const kept = await backend.get('k.ogg');
    expect((await readAll(kept.body)).toString()).toBe('earlier');
    expect(kept.metadata).toEqual({ V: '1' });
  });

  it('sends nothing when a small body errors, keeping the earlier object', async () => {
    const backend = backendOn(fake);
    fake.seed('k.ogg', 'earlier');
    fake.mock.resetHistory();
    const source = new Readable({ read() {} });
    source.push('partial');
    const putting = backend.put({ key: 'k.ogg', body: source, contentType: 'audio/ogg', metadata: {} });
    setImmediate(() => source.destroy(new AudioStoreError('TOO_LARGE', 'too large', { key: 'k.ogg' })));
    expect(isAudioStoreError(await rejection(putting), 'TOO_LARGE')).toBe(true);
    expect(fake.mock.calls()).toHaveLength(0);
    expect(fake.objects.get('k.ogg')?.body.toString()).toBe('earlier');
  });

  it('returns no ETag, without an extra request, when the store completes multipart with an empty one', async () => {
    const ceph = createFakeS3({ bucket: BUCKET, multipartEtag: 'empty' });
    try {
      const result = await backendOn(ceph, { partSize: 5 * MiB }).put({
        key: 'long.ogg',
        body: Readable.from([pattern(6 * MiB)]),
        contentType: 'audio/ogg',
        metadata: {},
      });
      expect(result).toEqual({});
      expect(ceph.objects.get('long.ogg')?.body.length).toBe(6 * MiB);
      expect(ceph.mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
    } finally {
      ceph.mock.restore();
    }
  });
});

describe('get and head', () => {
  beforeEach(async () => {
    await backendOn(fake).put({ key: 'n.ogg', body: body(pattern(1000)), contentType: 'audio/ogg', metadata: { Lang: 'de' } });
  });

  it('returns the whole object as a Node stream with its description', async () => {
    const got = await backendOn(fake).get('n.ogg');
    expect(got.body).toBeInstanceOf(Readable);
    expect((await readAll(got.body)).equals(pattern(1000))).toBe(true);
    expect(got).toMatchObject({ key: 'n.ogg', size: 1000, contentType: 'audio/ogg', metadata: { Lang: 'de' } });
    expect(got.etag).toBe(fake.objects.get('n.ogg')?.etag);
    expect(got.lastModified).toBeInstanceOf(Date);
    expect(got.range).toBeUndefined();
    expect(await backendOn(fake).head('n.ogg')).toEqual({
      key: 'n.ogg',
      size: 1000,
      contentType: 'audio/ogg',
      lastModified: got.lastModified,
      etag: got.etag,
      metadata: { Lang: 'de' },
    });
  });

  it.each([
    [{ start: 10, end: 19 }, 'bytes=10-19', { start: 10, end: 19 }],
    [{ start: 990 }, 'bytes=990-', { start: 990, end: 999 }],
    [{ start: 995, end: 5000 }, 'bytes=995-5000', { start: 995, end: 999 }],
  ])('serves the range %o with the whole size', async (range, header, served) => {
    const got = await backendOn(fake).get('n.ogg', range);
    expect(fake.mock.commandCalls(GetObjectCommand).at(-1)?.args[0].input.Range).toBe(header);
    expect(got.size).toBe(1000);
    expect(got.range).toEqual(served);
    expect((await readAll(got.body)).equals(pattern(1000).subarray(served.start, served.end + 1))).toBe(true);
  });

  it('throws INVALID_RANGE with the key when the range starts past the end', async () => {
    const err = await rejection(backendOn(fake, { prefix: '' }).get('n.ogg', { start: 1000 }));
    expect(err).toMatchObject({ code: 'INVALID_RANGE', key: 'n.ogg' });
    expect((err as Error).cause).toBeInstanceOf(S3ServiceException);
  });

  it('throws NOT_FOUND with the key for a missing object', async () => {
    const backend = backendOn(fake, { prefix: 'p/' });
    expect(await rejection(backend.get('missing.ogg'))).toMatchObject({ code: 'NOT_FOUND', key: 'missing.ogg' });
    expect(await rejection(backend.get('missing.ogg', { start: 0 }))).toMatchObject({ code: 'NOT_FOUND', key: 'missing.ogg' });
    expect(await rejection(backend.head('missing.ogg'))).toMatchObject({ code: 'NOT_FOUND', key: 'missing.ogg' });
  });

  it('accepts a whole-object answer to a range covering it, and refuses one to a smaller range', async () => {
    const backend = backendOn(fake);
    const whole = () => ({ Body: sdkStreamMixin(Readable.from([Buffer.from('abc')])), ContentLength: 3, ContentType: 'audio/ogg' });
    fake.mock.on(GetObjectCommand).resolvesOnce(whole()).resolvesOnce(whole());
    const got = await backend.get('n.ogg', { start: 0 });
    expect(got).toMatchObject({ size: 3, range: { start: 0, end: 2 } });
    expect((await readAll(got.body)).toString()).toBe('abc');

    expect(await rejection(backend.get('n.ogg', { start: 1, end: 1 }))).toMatchObject({ code: 'BACKEND_ERROR', key: 'n.ogg' });
  });
});

describe('delete', () => {
  it('succeeds for a missing key', async () => {
    await expect(backendOn(fake).delete('never-there.ogg')).resolves.toBeUndefined();
  });

  it('deletes many keys in batches of 1000', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `d/${i}.ogg`);
    for (const key of keys) fake.seed(`p/${key}`, 'x');
    fake.seed('p/keep.ogg', 'x');
    await backendOn(fake, { prefix: 'p/' }).deleteMany?.(keys);
    expect([...fake.objects.keys()]).toEqual(['p/keep.ogg']);
    const sizes = fake.mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length);
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('rejects when S3 reports keys it could not delete, ignoring missing ones', async () => {
    fake.mock.on(DeleteObjectsCommand).resolves({
      Errors: [
        { Key: 'p/gone.ogg', Code: 'NoSuchKey', Message: 'missing' },
        { Key: 'p/locked.ogg', Code: 'AccessDenied', Message: 'Access Denied' },
      ],
    });
    const err = await rejection(backendOn(fake, { prefix: 'p/' }).deleteMany?.(['gone.ogg', 'locked.ogg']) ?? Promise.resolve());
    expect(err).toMatchObject({ code: 'ACCESS_DENIED', key: 'locked.ogg' });
    expect((err as Error).message).toContain('"locked.ogg" (AccessDenied: Access Denied)');
    expect((err as Error).message).not.toContain('gone.ogg');
  });

  it('sends nothing for an empty list', async () => {
    await backendOn(fake).deleteMany?.([]);
    expect(fake.mock.calls()).toHaveLength(0);
  });

  describe('integrity header on the wire', () => {
    let requests: Array<{ headers: IncomingHttpHeaders; body: Buffer }>;
    let endpoint: string;
    let close: () => Promise<void>;

    beforeEach(async () => {
      requests = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise((resolve) => server.close(() => resolve()));
    });
    afterEach(async () => {
      await close();
    });

    it('is Content-MD5 for an S3-compatible endpoint (Ceph and older MinIO accept nothing else)', async () => {
      await createS3Backend({ bucket: BUCKET, prefix: '', endpoint, credentials: CREDENTIALS }).deleteMany?.(['a.ogg', 'b.ogg']);
      const [request] = requests;
      expect(request?.body.toString()).toContain('<Key>a.ogg</Key>');
      expect(request?.headers['content-md5']).toBe(createHash('md5').update(request?.body ?? '').digest('base64'));
      expect(Object.keys(request?.headers ?? {}).filter((h) => h.startsWith('x-amz-checksum-') || h.startsWith('x-amz-sdk-checksum'))).toEqual([]);
      expect(request?.headers.authorization).toContain('content-md5');
    });

    it('is the SDK default when checksums are used whenever supported', async () => {
      await createS3Backend({ bucket: BUCKET, prefix: '', endpoint, credentials: CREDENTIALS, checksumMode: 'WHEN_SUPPORTED' }).deleteMany?.(['a.ogg']);
      expect(requests[0]?.headers['content-md5']).toBeUndefined();
      expect(requests[0]?.headers['x-amz-checksum-crc32']).toBeDefined();
    });
  });
});

describe('url', () => {
  it('presigns a GetObject URL for the expiry, without the secret', async () => {
    const url = await backendOn(fake, { prefix: 'voice/' }).url('dir/a b.ogg', { expiresIn: 900 });
    const parsed = new URL(url);
    expect(parsed.hostname.startsWith(`${BUCKET}.s3.`)).toBe(true);
    expect(parsed.pathname).toBe('/voice/dir/a%20b.ogg');
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(parsed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url).not.toContain(fake.secretAccessKey);
    expect(fake.mock.calls()).toHaveLength(0);
  });

  it('builds an unsigned public URL with every key segment encoded', async () => {
    const backend = backendOn(fake, { prefix: 'voice/', publicUrl: 'https://cdn.example.com/audio' });
    const url = await backend.url('2024/a b+c&d=ü?.ogg', { expiresIn: 900 });
    expect(url).toBe('https://cdn.example.com/audio/voice/2024/a%20b%2Bc%26d%3D%C3%BC%3F.ogg');
    expect(new URL(url).search).toBe('');
    expect(fake.mock.calls()).toHaveLength(0);
  });
});

describe('check', () => {
  it('sends a real HeadBucket', async () => {
    await backendOn(fake).check();
    expect(fake.mock.commandCalls(HeadBucketCommand)).toHaveLength(1);
  });

  it('says clearly that a missing bucket is missing', async () => {
    const err = await rejection(createS3Backend({ bucket: 'no-such-bucket', prefix: '', client: fake.client, region: 'eu-west-1' }).check());
    expect(err).toMatchObject({ code: 'NOT_CONFIGURED' });
    expect((err as Error).message).toBe('The S3 bucket "no-such-bucket" does not exist in region "eu-west-1"');
  });

  it('reports refused credentials as ACCESS_DENIED', async () => {
    const backend = backendOn(fake);
    fake.mock.on(HeadBucketCommand).rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Forbidden' }));
    expect(backend.classifyError?.(await rejection(backend.check()))).toBe('ACCESS_DENIED');
  });
});

describe('classifyError', () => {
  const sdkError = (name: string, status: number) =>
    new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), {
    code: 'ECONNREFUSED',
    syscall: 'connect',
    $metadata: { attempts: 3, totalRetryDelay: 120 },
  });

  it.each([
    ['NoSuchKey', new NoSuchKey({ message: 'missing', $metadata: { httpStatusCode: 404 } }), 'NOT_FOUND'],
    ['404 NotFound', new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }), 'NOT_FOUND'],
    ['a bare 404', sdkError('UnknownError', 404), 'NOT_FOUND'],
    ['403 AccessDenied', sdkError('AccessDenied', 403), 'ACCESS_DENIED'],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'ACCESS_DENIED'],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'ACCESS_DENIED'],
    ['a bare 403', sdkError('Forbidden', 403), 'ACCESS_DENIED'],
    ['416 InvalidRange', sdkError('InvalidRange', 416), 'INVALID_RANGE'],
    ['NoSuchBucket', new NoSuchBucket({ message: 'no bucket', $metadata: { httpStatusCode: 404 } }), 'NOT_CONFIGURED'],
    ['MetadataTooLarge', sdkError('MetadataTooLarge', 400), 'INVALID_METADATA'],
    ['ECONNREFUSED', refused, 'CONNECTION_FAILED'],
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND s3.invalid'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }), 'CONNECTION_FAILED'],
    ['an AggregateError of refusals', Object.assign(new AggregateError([refused, refused]), { code: 'ECONNREFUSED' }), 'CONNECTION_FAILED'],
    ['TimeoutError', Object.assign(new Error('socket did not connect'), { name: 'TimeoutError' }), 'CONNECTION_FAILED'],
    ['500 InternalError', sdkError('InternalError', 500), undefined],
    ['503 SlowDown', sdkError('SlowDown', 503), undefined],
    ['a plain Error', new Error('boom'), undefined],
    ['a string', 'boom', undefined],
  ])('maps %s', (_what, err, code) => {
    expect(backendOn(fake).classifyError?.(err)).toBe(code);
  });
});
