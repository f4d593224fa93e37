import type { AudioMetadata } from '../../types.js';
import { contentTypeForKey } from '../../core/formats.js';
import { isAbsent } from './errno.js';
import type { LocalFileSystem, LocalStats } from './fs-types.js';

/**
 * What a sidecar file holds. `key` guards against hash collisions; `file` ties it to one data file
 * (inode, modification time and size survive the rename into place, and change with any rewrite),
 * so a sidecar left by a crash or a failed put is never served with other bytes.
 */
export interface SidecarRecord {
  key: string;
  contentType: string;
  metadata: AudioMetadata;
  file: string;
}

/** The identity of a data file, as recorded in its sidecar. */
export function fileIdentity(stats: LocalStats): string {
  return `${String(stats.ino)}:${stats.mtime.getTime()}:${String(stats.size)}`;
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

function matches(value: unknown, key: string, file: string): value is SidecarRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<SidecarRecord>;
  return r.key === key && r.file === file && typeof r.contentType === 'string' && r.contentType !== '' && isMetadata(r.metadata);
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
 * missing, unreadable or stale sidecar (written for another data file: a crash, a failed put or a
 * concurrent writer came between the two renames) gives the extension's type and no metadata.
 */
export async function readDescription(
  fs: LocalFileSystem,
  sidecarPath: string,
  key: string,
  stats: LocalStats,
): Promise<{ contentType: string; metadata: AudioMetadata }> {
  const record = await readJson(fs, sidecarPath);
  if (matches(record, key, fileIdentity(stats))) return { contentType: record.contentType, metadata: { ...record.metadata } };
  return { contentType: contentTypeForKey(key), metadata: {} };
}
