import type { ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import type { BackendListEntry } from '../../backend.js';
import type { S3Context } from './context.js';
import { loadClientS3 } from './sdk.js';

/**
 * Every object under the configured prefix plus `prefix`, across all ListObjectsV2 pages, with
 * the configured prefix stripped. Type and metadata are left to the core (one HEAD each).
 * Keys ending in `/` are skipped: they are folder markers made by consoles, not audio.
 */
export async function* listObjects(ctx: S3Context, prefix: string): AsyncGenerator<BackendListEntry> {
  const [client, { ListObjectsV2Command }] = await Promise.all([ctx.client(), loadClientS3()]);
  const strip = ctx.settings.prefix.length;
  const input: ListObjectsV2CommandInput = { Bucket: ctx.settings.bucket, Prefix: ctx.objectKey(prefix) };
  for (;;) {
    const page = await client.send(new ListObjectsV2Command(input));
    for (const object of page.Contents ?? []) {
      const key = object.Key?.slice(strip);
      if (!key || key.endsWith('/')) continue;
      const entry: BackendListEntry = { key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
      if (object.ETag) entry.etag = object.ETag;
      yield entry;
    }
    if (!page.IsTruncated) return;
    if (page.NextContinuationToken) {
      input.ContinuationToken = page.NextContinuationToken;
    } else {
      // Some S3-compatible stores truncate without a token; continue after the last key instead.
      const last = page.Contents?.at(-1)?.Key;
      if (last === undefined) return;
      delete input.ContinuationToken;
      input.StartAfter = last;
    }
  }
}
