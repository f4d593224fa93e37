import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalFileHandle, LocalFileSystem, LocalStats } from './fs-types.js';

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`A body chunk must be bytes, got ${typeof chunk}`);
}

// A write may be short; only a loop makes it whole.
async function writeAll(handle: LocalFileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Streams `body` into a new file at `path` (refusing to replace one), flushes it to the disk and
 * returns its stats. Rejects with the body's own error when the body fails; the caller removes
 * the partial file. The file is opened before the body is read, so an open failure consumes nothing,
 * and it is closed before this settles, so the caller can always remove or rename it.
 */
export async function writeNewFile(fs: LocalFileSystem, path: string, body: Readable): Promise<LocalStats> {
  const handle = await fs.promises.open(path, 'wx');
  let stats: LocalStats;
  try {
    await pipeline(body, async (source: AsyncIterable<unknown>) => {
      for await (const chunk of source) await writeAll(handle, toBytes(chunk));
    });
    // Durable before it becomes visible: the caller renames it into place only after this.
    await handle.datasync();
    stats = await handle.stat();
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  await handle.close();
  return stats;
}
