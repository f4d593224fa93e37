import { createHash, randomUUID } from 'node:crypto';
import nodePath from 'node:path';
import { AudioStoreError } from '../../errors.js';

/** The path functions of one platform: `node:path` for the real disk, `path.posix` for an injected fs. */
export type PathApi = typeof nodePath.posix;

/** The folder the core reserves for the library; it stores its self-test canaries there as keys. */
export const RESERVED_DIR = '.audio-store';
/** This driver's own folder inside it. No key or prefix may reach it. */
export const PRIVATE_DIR = 'local';

/** Where every file of one local store lives. See the module comment in `index.ts`. */
export interface Layout {
  readonly root: string;
  readonly path: PathApi;
  /** Temp files of writes in progress: data, sidecars and check probes. */
  readonly tmpDir: string;
  /** The file holding a key's bytes. Throws `INVALID_KEY` for any key that would land outside the root. */
  objectPath(key: string): string;
  /** The JSON sidecar holding a key's content type and metadata. */
  sidecarPath(key: string): string;
  /** A fresh, unique path in {@link Layout.tmpDir}. */
  newTempPath(): string;
  /** Where a listing of `prefix` starts: the deepest folder the prefix names, and the name filter within it. */
  listStart(prefix: string): { dir: string; keyBase: string; namePrefix: string };
  /** True for folders a listing must not enter: the reserved folder (unless asked for) and the private one. */
  isHidden(keyBase: string, name: string): boolean;
  /** True for a path strictly below the root. */
  isBelowRoot(p: string): boolean;
}

function refuse(key: string, why: string): never {
  throw new AudioStoreError('INVALID_KEY', `Invalid key "${key}" for local storage: ${why}`, { key });
}

/** Creates the layout of a store rooted at `root`, which must already be absolute or normalized. */
export function createLayout(root: string, path: PathApi): Layout {
  const privateDir = path.join(root, RESERVED_DIR, PRIVATE_DIR);
  const tmpDir = path.join(privateDir, 'tmp');
  const metaDir = path.join(privateDir, 'meta');
  // Windows reads `a:b` as a drive or an alternate data stream; the core only refuses leading drives.
  const badSegment = (s: string) =>
    s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0') || (path.sep === '\\' && s.includes(':'));

  function isBelowRoot(p: string): boolean {
    const rel = path.relative(root, p);
    return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel);
  }

  // The core normalizes keys before they get here; this is defence in depth, so that no key or
  // prefix, however it reached the driver, can name a path outside the root or inside our own files.
  function resolve(key: string, asKey: boolean): string {
    const segments = key.split('/');
    if (segments.some(badSegment)) refuse(key, 'it must be relative, with no empty, "." or ".." segments');
    if (segments[0] === RESERVED_DIR && (segments[1] === PRIVATE_DIR || (asKey && segments.length === 1))) {
      refuse(key, `"${RESERVED_DIR}/${PRIVATE_DIR}/" holds the local backend's own files`);
    }
    const target = path.join(root, ...segments);
    if (!isBelowRoot(target)) refuse(key, 'it resolves outside the storage directory');
    return target;
  }

  return {
    root,
    path,
    tmpDir,
    objectPath: (key) => resolve(key, true),
    sidecarPath(key) {
      // Hashed rather than mirroring the key, so that no two keys can collide: a mirrored sidecar
      // for `x` (`x.json`) would be a file where `x.json/y` needs a folder.
      const hash = createHash('sha256').update(key).digest('hex');
      return path.join(metaDir, hash.slice(0, 2), `${hash}.json`);
    },
    newTempPath: () => path.join(tmpDir, `${randomUUID()}.tmp`),
    listStart(prefix) {
      const cut = prefix.lastIndexOf('/');
      const keyBase = prefix.slice(0, cut + 1);
      const dir = keyBase === '' ? root : resolve(keyBase.slice(0, -1), false);
      return { dir, keyBase, namePrefix: prefix.slice(cut + 1) };
    },
    isHidden: (keyBase, name) =>
      (keyBase === '' && name === RESERVED_DIR) || (keyBase === `${RESERVED_DIR}/` && name === PRIVATE_DIR),
    isBelowRoot,
  };
}
