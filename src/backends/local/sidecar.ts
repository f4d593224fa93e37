import type { AudioMetadata } from '../../types.js';
import { contentTypeForKey } from '../../core/formats.js';
import { isAbsent } from './errno.js';
import type { LocalFileSystem } from './fs-types.js';

/** What a sidecar file holds. `key` guards against hash collisions, `size` against a stale sidecar. */
export interface SidecarRecord {
  key: string;
  contentType: string;
  metadata: AudioMetadata;
  size: number;
}

/** The bytes of a sidecar file. */
export function encodeSidecar(record: SidecarRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

function isMetadata(value: unknown): value is AudioMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function matches(value: unknown, key: string, size: number): value is SidecarRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<SidecarRecord>;
  return r.key === key && r.size === size && typeof r.contentType === 'string' && r.contentType !== '' && isMetadata(r.metadata);
}

async function readJson(fs: LocalFileSystem, path: string): Promise<unknown> {
  let text: string | Buffer;
  try {
    text = await fs.promises.readFile(path, 'utf8');
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
  try {
    return JSON.parse(String(text)) as unknown;
  } catch {
    // A sidecar cut short by a crash is as good as a missing one.
    return undefined;
  }
}

/**
 * The content type and metadata of the file at `key`, from its sidecar at `sidecarPath`. A
 * missing, unreadable or stale sidecar (its size differs from the file's: a crash or a concurrent
 * writer came between the two renames) gives the extension's type and no metadata instead.
 */
export async function readDescription(
  fs: LocalFileSystem,
  sidecarPath: string,
  key: string,
  size: number,
): Promise<{ contentType: string; metadata: AudioMetadata }> {
  const record = await readJson(fs, sidecarPath);
  if (matches(record, key, size)) return { contentType: record.contentType, metadata: { ...record.metadata } };
  return { contentType: contentTypeForKey(key), metadata: {} };
}
