import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  CompleteMultipartUploadCommandInput,
  DeleteObjectsCommandInput,
  GetObjectCommandInput,
  ListObjectsV2CommandInput,
  PutObjectCommandInput,
  UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

/** An object held by the fake, as S3 would store it. */
export interface FakeObject {
  body: Buffer;
  contentType?: string;
  /** Names lowercased, as S3 stores them. */
  metadata: Record<string, string>;
  etag: string;
  lastModified: Date;
}

/** A multipart upload that was created and neither completed nor aborted. */
export interface FakeMultipartUpload {
  key: string;
  uploadId: string;
  contentType?: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
  initiated: Date;
}

/** Options for {@link createFakeS3}. */
export interface FakeS3Options {
  bucket: string;
  region?: string;
  /** `'empty'` answers CompleteMultipartUpload with an empty ETag, as Ceph RGW does. */
  multipartEtag?: 'aws' | 'empty';
}

/** A stateful in-memory S3 behind a real `S3Client` whose `send` is stubbed. */
export interface FakeS3 {
  bucket: string;
  client: S3Client;
  mock: AwsClientStub<S3Client>;
  /** Secret of the fake credentials, to check that no URL or message contains it. */
  secretAccessKey: string;
  objects: Map<string, FakeObject>;
  multipartUploads: Map<string, FakeMultipartUpload>;
  /** Stores an object directly, without a request (fast setup for listings). */
  seed(key: string, body: string | Uint8Array, options?: { contentType?: string; metadata?: Record<string, string> }): void;
  /** Empties the bucket and the call history; the fake behaviours stay. */
  reset(): void;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const METADATA_LIMIT = 2048;
const MAX_KEYS = 1000;

/** An error shaped as the SDK deserializes it from an S3 error response. */
function s3Error(name: string, status: number, message: string): S3ServiceException {
  const options = { message, $metadata: { httpStatusCode: status } };
  switch (name) {
    case 'NoSuchKey':
      return new NoSuchKey(options);
    case 'NotFound':
      return new NotFound(options);
    case 'NoSuchBucket':
      return new NoSuchBucket(options);
    case 'NoSuchUpload':
      return new NoSuchUpload(options);
    default:
      return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', ...options });
  }
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof Readable || (typeof body === 'object' && Symbol.asyncIterator in body)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new TypeError(`fake-s3: unsupported Body type ${Object.prototype.toString.call(body)}`);
}

/**
 * What S3 keeps of x-amz-meta-* headers: lowercase names, values trimmed as HTTP trims them.
 * Values a header cannot carry are refused the way Node's http module refuses them.
 */
function storedMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const stored: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!/^[\t\x20-\x7e]*$/.test(value)) {
      throw Object.assign(new TypeError(`Invalid character in header content ["x-amz-meta-${name}"]`), { code: 'ERR_INVALID_CHAR' });
    }
    const lower = name.toLowerCase();
    stored[lower] = value.replace(/^[\t ]+|[\t ]+$/g, '');
    size += Buffer.byteLength(lower) + Buffer.byteLength(stored[lower]);
  }
  if (size > METADATA_LIMIT) throw s3Error('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.');
  return stored;
}

const md5 = (data: Buffer): Buffer => createHash('md5').update(data).digest();

/** S3 orders keys by their UTF-8 bytes. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Creates the fake. Every behaviour is an aws-sdk-client-mock `callsFake`, so tests can still
 * override one command (`fake.mock.on(Command).rejects(...)`) and inspect calls
 * (`fake.mock.commandCalls(Command)`).
 */
export function createFakeS3(options: FakeS3Options): FakeS3 {
  const { bucket } = options;
  const secretAccessKey = 'fake-secret-access-key-do-not-leak';
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey },
  });
  const mock = mockClient(client);
  const objects = new Map<string, FakeObject>();
  const multipartUploads = new Map<string, FakeMultipartUpload>();

  const requireBucket = (name: string | undefined): void => {
    if (name !== bucket) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
  };
  const requireObject = (key: string | undefined, head: boolean): FakeObject => {
    const found = key === undefined ? undefined : objects.get(key);
    if (found) return found;
    // HEAD responses have no body, so the SDK can only name the status.
    throw head ? s3Error('NotFound', 404, 'Not Found') : s3Error('NoSuchKey', 404, 'The specified key does not exist.');
  };
  const requireUpload = (uploadId: string | undefined, key: string | undefined): FakeMultipartUpload => {
    const upload = uploadId === undefined ? undefined : multipartUploads.get(uploadId);
    if (!upload || upload.key !== key) throw s3Error('NoSuchUpload', 404, 'The specified upload does not exist.');
    return upload;
  };
  const describe = (o: FakeObject) => ({
    ContentType: o.contentType,
    ETag: o.etag,
    LastModified: o.lastModified,
    Metadata: { ...o.metadata },
    AcceptRanges: 'bytes',
  });

  mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    requireBucket(input.Bucket);
    const metadata = storedMetadata(input.Metadata);
    const body = await readBody(input.Body);
    const etag = `"${md5(body).toString('hex')}"`;
    objects.set(input.Key ?? '', { body, contentType: input.ContentType, metadata, etag, lastModified: new Date() });
    return { ETag: etag, $metadata: { httpStatusCode: 200 } };
  });

  mock.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
    requireBucket(input.Bucket);
    const o = requireObject(input.Key, false);
    const size = o.body.length;
    let start = 0;
    let end = size - 1;
    let ranged = false;
    const match = input.Range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(input.Range);
    if (match && (match[1] !== '' || match[2] !== '')) {
      ranged = true;
      if (match[1] === '') {
        start = Math.max(0, size - Number(match[2]));
      } else {
        start = Number(match[1]);
        if (match[2] !== '') end = Math.min(Number(match[2]), size - 1);
      }
      if (start >= size) throw s3Error('InvalidRange', 416, 'The requested range is not satisfiable');
    }
    const bytes = o.body.subarray(start, end + 1);
    return {
      ...describe(o),
      Body: sdkStreamMixin(Readable.from([bytes])),
      ContentLength: bytes.length,
      ...(ranged ? { ContentRange: `bytes ${start}-${end}/${size}` } : {}),
      $metadata: { httpStatusCode: ranged ? 206 : 200 },
    };
  });

  mock.on(HeadObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string }) => {
    if (input.Bucket !== bucket) throw s3Error('NotFound', 404, 'Not Found');
    const o = requireObject(input.Key, true);
    return { ...describe(o), ContentLength: o.body.length, $metadata: { httpStatusCode: 200 } };
  });

  mock.on(DeleteObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string }) => {
    requireBucket(input.Bucket);
    objects.delete(input.Key ?? '');
    return { $metadata: { httpStatusCode: 204 } };
  });

  mock.on(DeleteObjectsCommand).callsFake(async (input: DeleteObjectsCommandInput) => {
    requireBucket(input.Bucket);
    const requested = input.Delete?.Objects ?? [];
    if (requested.length > MAX_KEYS) throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed');
    for (const { Key } of requested) objects.delete(Key ?? '');
    return {
      ...(input.Delete?.Quiet ? {} : { Deleted: requested.map(({ Key }) => ({ Key })) }),
      $metadata: { httpStatusCode: 200 },
    };
  });

  mock.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
    requireBucket(input.Bucket);
    if (input.Delimiter !== undefined) throw new Error('fake-s3: Delimiter is not supported');
    const prefix = input.Prefix ?? '';
    const maxKeys = Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS);
    const after = input.ContinuationToken !== undefined
      ? Buffer.from(input.ContinuationToken, 'base64url').toString('utf8')
      : input.StartAfter;
    const keys = [...objects.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || byUtf8(key, after) > 0))
      .sort(byUtf8);
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const last = page.at(-1);
    return {
      Contents: page.map((key) => {
        const o = objects.get(key) as FakeObject;
        return { Key: key, Size: o.body.length, ETag: o.etag, LastModified: o.lastModified, StorageClass: 'STANDARD' };
      }),
      KeyCount: page.length,
      MaxKeys: maxKeys,
      Prefix: prefix,
      IsTruncated: truncated,
      ...(truncated && last !== undefined ? { NextContinuationToken: Buffer.from(last).toString('base64url') } : {}),
      ...(input.ContinuationToken === undefined ? {} : { ContinuationToken: input.ContinuationToken }),
      $metadata: { httpStatusCode: 200 },
    };
  });

  mock.on(HeadBucketCommand).callsFake(async (input: { Bucket?: string }) => {
    if (input.Bucket !== bucket) throw s3Error('NotFound', 404, 'Not Found');
    return { $metadata: { httpStatusCode: 200 } };
  });

  mock.on(CreateMultipartUploadCommand).callsFake(async (input: PutObjectCommandInput) => {
    requireBucket(input.Bucket);
    const uploadId = randomUUID();
    multipartUploads.set(uploadId, {
      key: input.Key ?? '',
      uploadId,
      contentType: input.ContentType,
      metadata: storedMetadata(input.Metadata),
      parts: new Map(),
      initiated: new Date(),
    });
    return { Bucket: bucket, Key: input.Key, UploadId: uploadId, $metadata: { httpStatusCode: 200 } };
  });

  mock.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
    requireBucket(input.Bucket);
    const upload = requireUpload(input.UploadId, input.Key);
    const body = await readBody(input.Body);
    const etag = `"${md5(body).toString('hex')}"`;
    upload.parts.set(input.PartNumber ?? 0, { body, etag });
    return { ETag: etag, $metadata: { httpStatusCode: 200 } };
  });

  mock.on(CompleteMultipartUploadCommand).callsFake(async (input: CompleteMultipartUploadCommandInput) => {
    requireBucket(input.Bucket);
    const upload = requireUpload(input.UploadId, input.Key);
    const listed = input.MultipartUpload?.Parts ?? [];
    if (listed.length === 0) throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed');
    const parts = listed.map(({ PartNumber, ETag }, i) => {
      const part = upload.parts.get(PartNumber ?? -1);
      if (!part || part.etag !== ETag) throw s3Error('InvalidPart', 400, 'One or more of the specified parts could not be found.');
      if (i > 0 && (PartNumber ?? 0) <= (listed[i - 1]?.PartNumber ?? 0)) {
        throw s3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.');
      }
      if (i < listed.length - 1 && part.body.length < MIN_PART_SIZE) {
        throw s3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
      }
      return part;
    });
    const body = Buffer.concat(parts.map((p) => p.body));
    const digest = md5(Buffer.concat(parts.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex'))));
    const etag = `"${digest.toString('hex')}-${parts.length}"`;
    objects.set(upload.key, { body, contentType: upload.contentType, metadata: upload.metadata, etag, lastModified: new Date() });
    multipartUploads.delete(upload.uploadId);
    return {
      Bucket: bucket,
      Key: upload.key,
      ETag: options.multipartEtag === 'empty' ? '' : etag,
      $metadata: { httpStatusCode: 200 },
    };
  });

  mock.on(AbortMultipartUploadCommand).callsFake(async (input: { Bucket?: string; Key?: string; UploadId?: string }) => {
    requireBucket(input.Bucket);
    requireUpload(input.UploadId, input.Key);
    multipartUploads.delete(input.UploadId ?? '');
    return { $metadata: { httpStatusCode: 204 } };
  });

  mock.on(ListMultipartUploadsCommand).callsFake(async (input: { Bucket?: string; Prefix?: string }) => {
    requireBucket(input.Bucket);
    const uploads = [...multipartUploads.values()]
      .filter((u) => u.key.startsWith(input.Prefix ?? ''))
      .sort((a, b) => byUtf8(a.key, b.key));
    return {
      Bucket: bucket,
      Uploads: uploads.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: u.initiated })),
      IsTruncated: false,
      $metadata: { httpStatusCode: 200 },
    };
  });

  return {
    bucket,
    client,
    mock,
    secretAccessKey,
    objects,
    multipartUploads,
    seed(key, body, seedOptions = {}) {
      const bytes = Buffer.from(body);
      objects.set(key, {
        body: bytes,
        contentType: seedOptions.contentType,
        metadata: storedMetadata(seedOptions.metadata),
        etag: `"${md5(bytes).toString('hex')}"`,
        lastModified: new Date(),
      });
    },
    reset() {
      objects.clear();
      multipartUploads.clear();
      mock.resetHistory();
    },
  };
}
