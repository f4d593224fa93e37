import * as nodeFs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Volume, createFsFromVolume } from 'memfs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendListEntry, StorageBackend } from '../../src/backend.js';
import { createLocalBackend, type LocalBackendConfig, type LocalFileSystem } from '../../src/backends/local/index.js';
import { AudioStoreError, isAudioStoreError } from '../../src/errors.js';

/** The synchronous calls the tests use to look at the disk behind the backend's back. */
interface SyncFs {
  existsSync(path: string): boolean;
  readFileSync(path: string): string | Buffer;
  writeFileSync(path: string, data: string | Uint8Array): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string, options: { withFileTypes: true }): ReadonlyArray<string | Buffer | { name: string | Buffer; isDirectory(): boolean }>;
  utimesSync(path: string, atime: Date, mtime: Date): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
  renameSync(from: string, to: string): void;
}

interface Env {
  /** The root as the backend sees it. */
  dir: string;
  /** The fs the backend uses (node:fs itself when none is injected), for spies. */
  fs: LocalFileSystem;
  sync: SyncFs;
  join: (...parts: string[]) => string;
  /** A path next to the root, outside it. */
  outside: string;
  config(extra?: Partial<LocalBackendConfig>): LocalBackendConfig;
  cleanup(): void;
}

const ENVS: Array<{ name: string; make: () => Env }> = [
  {
    name: 'memfs',
    make() {
      const fs = createFsFromVolume(new Volume());
      const dir = '/srv/uploads';
      return {
        dir,
        fs,
        sync: fs,
        join: nodePath.posix.join,
        outside: '/srv/secret.txt',
        config: (extra = {}) => ({ dir, fs, publicPath: '/audio', ...extra }),
        cleanup() {},
      };
    },
  },
  {
    name: 'node:fs',
    make() {
      const base = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'audio-store-local-'));
      const dir = nodePath.join(base, 'uploads');
      return {
        dir,
        fs: nodeFs,
        sync: nodeFs,
        join: nodePath.join,
        outside: nodePath.join(base, 'secret.txt'),
        // No fs: the default, real one.
        config: (extra = {}) => ({ dir, publicPath: '/audio', ...extra }),
        cleanup: () => nodeFs.rmSync(base, { recursive: true, force: true }),
      };
    },
  },
];

function bytes(text: string): Buffer {
  return Buffer.from(text);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect(entries: AsyncIterable<BackendListEntry>): Promise<BackendListEntry[]> {
  const out: BackendListEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

async function keysOf(entries: AsyncIterable<BackendListEntry>): Promise<string[]> {
  return (await collect(entries)).map((e) => e.key).sort();
}

/** The code of the AudioStoreError a promise rejects with, or a marker saying what happened instead. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isAudioStoreError(err) ? err.code : `native ${String((err as { code?: unknown }).code)}`;
  }
}

function put(backend: StorageBackend, key: string, body: Buffer | Readable, contentType = 'audio/webm', metadata: Record<string, string> = {}) {
  return backend.put({ key, body: Buffer.isBuffer(body) ? Readable.from([body]) : body, contentType, metadata });
}

/** A body that sends `chunks`, waits for `beforeEnd`, then ends, or fails with `failure` if given. */
function controlledBody(chunks: Buffer[], beforeEnd: () => Promise<void>, failure?: Error): Readable {
  let next = 0;
  let ending = false;
  return new Readable({
    read() {
      if (next < chunks.length) {
        this.push(chunks[next++]);
        return;
      }
      if (ending) return;
      ending = true;
      void beforeEnd().then(
        () => (failure ? this.destroy(failure) : this.push(null)),
        (err: unknown) => this.destroy(err as Error),
      );
    },
  });
}

function entryName(entry: string | Buffer | { name: string | Buffer }): string {
  return typeof entry === 'string' || Buffer.isBuffer(entry) ? String(entry) : String(entry.name);
}

/** Relative paths of every file under `dir`, or [] when it does not exist. */
function filesUnder(sync: SyncFs, join: Env['join'], dir: string, base = ''): string[] {
  if (!sync.existsSync(dir)) return [];
  return sync.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const name = entryName(entry);
    const rel = base === '' ? name : `${base}/${name}`;
    const isDir = typeof entry === 'object' && !Buffer.isBuffer(entry) && entry.isDirectory();
    return isDir ? filesUnder(sync, join, join(dir, name), rel) : [rel];
  });
}

function readBytes(sync: SyncFs, path: string): Buffer {
  const data = sync.readFileSync(path);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

describe.each(ENVS)('local backend on $name', ({ make }) => {
  let env: Env;
  let backend: StorageBackend;
  const tmpDir = () => env.join(env.dir, '.audio-store', 'local', 'tmp');
  const metaDir = () => env.join(env.dir, '.audio-store', 'local', 'meta');
  const tempFiles = () => filesUnder(env.sync, env.join, tmpDir());

  beforeEach(() => {
    env = make();
    backend = createLocalBackend(env.config());
  });

  afterEach(() => {
    vi.restoreAllMocks();
    env.cleanup();
  });

  describe('creation', () => {
    it('does no I/O and creates the directory on the first write', async () => {
      const methods = ['open', 'stat', 'readFile', 'readdir', 'mkdir', 'rename', 'unlink', 'rmdir'] as const;
      const calls = methods.map((name) => vi.spyOn(env.fs.promises, name));
      const fresh = createLocalBackend(env.config());
      expect(calls.every((spy) => spy.mock.calls.length === 0)).toBe(true);
      expect(env.sync.existsSync(env.dir)).toBe(false);
      vi.restoreAllMocks();
      await put(fresh, 'first.webm', bytes('hello'));
      expect(readBytes(env.sync, env.join(env.dir, 'first.webm')).toString()).toBe('hello');
    });

    it("is named 'local' and persistent unless told otherwise", () => {
      expect(backend.name).toBe('local');
      expect(backend.persistent).toBe(true);
      expect(createLocalBackend(env.config({ persistent: false })).persistent).toBe(false);
    });
  });

  describe('put, get and head', () => {
    it('round-trips bytes, content type and metadata', async () => {
      const metadata = { userId: 'u-1', Mixed_Case: 'héllo ✓' };
      const { etag } = await put(backend, 'voice/hello.webm', bytes('abcdef'), 'audio/webm;codecs=opus', metadata);
      const got = await backend.get('voice/hello.webm');
      expect((await readAll(got.body)).toString()).toBe('abcdef');
      expect(got).toMatchObject({ key: 'voice/hello.webm', size: 6, contentType: 'audio/webm;codecs=opus', metadata });
      expect(got.range).toBeUndefined();
      expect(got.lastModified).toBeInstanceOf(Date);
      const head = await backend.head('voice/hello.webm');
      expect(head).toMatchObject({ size: 6, contentType: 'audio/webm;codecs=opus', metadata });
      expect(etag).toMatch(/^W\/"6-[0-9a-f]+"$/);
      expect(head.etag).toBe(etag);
      expect(got.etag).toBe(etag);
      expect(readBytes(env.sync, env.join(env.dir, 'voice', 'hello.webm')).toString()).toBe('abcdef');
    });

    it('keeps type and metadata across a restart', async () => {
      await put(backend, 'keep/me.ogg', bytes('persisted'), 'audio/ogg;codecs=opus', { who: 'me' });
      const restarted = createLocalBackend(env.config());
      expect(await restarted.head('keep/me.ogg')).toMatchObject({ size: 9, contentType: 'audio/ogg;codecs=opus', metadata: { who: 'me' } });
      const got = await restarted.get('keep/me.ogg');
      expect((await readAll(got.body)).toString()).toBe('persisted');
      expect(await collect(restarted.list('keep/'))).toMatchObject([{ key: 'keep/me.ogg', contentType: 'audio/ogg;codecs=opus', metadata: { who: 'me' } }]);
    });

    it('replaces body, type and metadata on overwrite', async () => {
      const first = await put(backend, 'over.webm', bytes('first body'), 'audio/webm', { v: '1' });
      const second = await put(backend, 'over.webm', bytes('second'), 'audio/mp4', { other: '2' });
      const got = await backend.get('over.webm');
      expect((await readAll(got.body)).toString()).toBe('second');
      expect(got).toMatchObject({ size: 6, contentType: 'audio/mp4', metadata: { other: '2' } });
      expect(second.etag).not.toBe(first.etag);
      expect(tempFiles()).toEqual([]);
    });

    it('streams the body into the temp file before the body ends', async () => {
      const chunk = Buffer.alloc(64 * 1024, 1);
      const sizeOnDisk = () => tempFiles().reduce((sum, f) => sum + readBytes(env.sync, env.join(tmpDir(), f)).length, 0);
      const body = controlledBody([chunk, chunk, chunk], () =>
        vi.waitFor(() => expect(sizeOnDisk()).toBeGreaterThanOrEqual(2 * chunk.length), { timeout: 5000 }),
      );
      await put(backend, 'streamed.webm', body);
      expect((await backend.head('streamed.webm')).size).toBe(3 * chunk.length);
    });

    it('shows readers the old object, never a part of the new one, while a write streams', async () => {
      await put(backend, 'busy.webm', bytes('old and whole'));
      let midway = () => {};
      const reachedMidway = new Promise<void>((resolve) => (midway = resolve));
      let finish = () => {};
      const body = controlledBody([bytes('new '), bytes('half')], () => {
        midway();
        return new Promise<void>((resolve) => (finish = resolve));
      });
      const writing = put(backend, 'busy.webm', body);
      await reachedMidway;
      expect((await readAll((await backend.get('busy.webm')).body)).toString()).toBe('old and whole');
      expect((await backend.head('busy.webm')).size).toBe(13);
      finish();
      await writing;
      expect((await readAll((await backend.get('busy.webm')).body)).toString()).toBe('new half');
    });

    it('serves an opened object whole even when it is overwritten before being read', async () => {
      await put(backend, 'snap.webm', bytes('the original body'));
      const got = await backend.get('snap.webm');
      await put(backend, 'snap.webm', bytes('replacement'));
      const read = await readAll(got.body);
      expect(read.toString()).toBe('the original body');
      expect(read.length).toBe(got.size);
    });

    it('reports NOT_FOUND for a missing key, a folder, and a path through a file', async () => {
      await put(backend, 'dir/inside.webm', bytes('x'));
      await put(backend, 'file.webm', bytes('y'));
      for (const key of ['missing.webm', 'dir', 'file.webm/below.webm']) {
        expect(await codeOf(backend.get(key)), key).toBe('NOT_FOUND');
        expect(await codeOf(backend.head(key)), key).toBe('NOT_FOUND');
      }
    });
  });

  describe('failed writes', () => {
    const tooLarge = () => new AudioStoreError('TOO_LARGE', 'The body is longer than maxBytes');

    it('rejects with the body’s own error, keeps the earlier object and leaves no temp file', async () => {
      const earlier = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
      await put(backend, 'keep.webm', earlier, 'audio/webm', { version: 'earlier' });
      const failure = tooLarge();
      // The temp file must exist before the failure, or the test would prove nothing about cleanup.
      const body = controlledBody([Buffer.alloc(1000, 7), Buffer.alloc(1000, 8)], () =>
        vi.waitFor(() => expect(tempFiles().length).toBe(1), { timeout: 5000 }),
      failure);
      await expect(put(backend, 'keep.webm', body, 'audio/mp4', { version: 'new' })).rejects.toBe(failure);
      expect(readBytes(env.sync, env.join(env.dir, 'keep.webm')).equals(earlier)).toBe(true);
      expect(await backend.head('keep.webm')).toMatchObject({ size: 300, contentType: 'audio/webm', metadata: { version: 'earlier' } });
      expect(tempFiles()).toEqual([]);
    });

    it('leaves nothing at a new key when the body fails', async () => {
      const failure = tooLarge();
      const body = controlledBody([Buffer.alloc(500, 1)], () => vi.waitFor(() => expect(tempFiles().length).toBe(1)), failure);
      await expect(put(backend, 'fresh/new.webm', body)).rejects.toBe(failure);
      expect(env.sync.existsSync(env.join(env.dir, 'fresh', 'new.webm'))).toBe(false);
      expect(env.sync.existsSync(env.join(env.dir, 'fresh'))).toBe(false);
      expect(await codeOf(backend.head('fresh/new.webm'))).toBe('NOT_FOUND');
      expect(filesUnder(env.sync, env.join, metaDir())).toEqual([]);
      expect(tempFiles()).toEqual([]);
    });

    it('keeps exactly one whole body, with its own metadata, from 10 concurrent writers', async () => {
      // Hold the first sidecar rename until the 9 other writers have committed (or 200 ms pass).
      // Without per-key serialization they all do, and the held sidecar lands last, on another body.
      const rename = env.fs.promises.rename.bind(env.fs.promises);
      let held = false;
      let sidecarRenames = 0;
      vi.spyOn(env.fs.promises, 'rename').mockImplementation(async (from, to) => {
        if (to.startsWith(metaDir())) {
          if (!held) {
            held = true;
            for (let waited = 0; waited < 200 && sidecarRenames < 9; waited += 5) await new Promise((r) => setTimeout(r, 5));
          }
          sidecarRenames++;
        }
        return rename(from, to);
      });
      const bodies = Array.from({ length: 10 }, (_, i) => Buffer.alloc(50_000 + i * 1000, i + 1));
      const chunked = (b: Buffer) => [b.subarray(0, 20_000), b.subarray(20_000, 40_000), b.subarray(40_000)];
      await Promise.all(
        bodies.map((b, i) =>
          put(backend, 'race.webm', controlledBody(chunked(b), () => new Promise((r) => setTimeout(r, (i * 7) % 10))), 'audio/webm', { writer: String(i) }),
        ),
      );
      const got = await backend.get('race.webm');
      const final = await readAll(got.body);
      const winners = bodies.flatMap((b, i) => (b.equals(final) ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(got.metadata).toEqual({ writer: String(winners[0]) });
      expect(tempFiles()).toEqual([]);
    });

    it('refuses a key whose path collides with other keys and harms neither', async () => {
      await put(backend, 'a', bytes('A'));
      await put(backend, 'd/x.webm', bytes('X'));
      expect(await codeOf(put(backend, 'a/b.webm', bytes('B')))).toBe('INVALID_KEY');
      // On memfs a plain rename would replace the folder `d` and everything in it.
      expect(await codeOf(put(backend, 'd', bytes('D')))).toBe('INVALID_KEY');
      expect((await readAll((await backend.get('a')).body)).toString()).toBe('A');
      expect((await readAll((await backend.get('d/x.webm')).body)).toString()).toBe('X');
      expect(tempFiles()).toEqual([]);
    });
  });

  describe('ranges', () => {
    const body = bytes('0123456789');
    const read = async (start: number, end?: number) => {
      const got = await backend.get('r.webm', end === undefined ? { start } : { start, end });
      return { got, text: (await readAll(got.body)).toString() };
    };
    beforeEach(async () => {
      await put(backend, 'r.webm', body);
    });

    it('serves the first byte, a middle, the last byte and an open end', async () => {
      const first = await read(0, 0);
      expect(first.text).toBe('0');
      expect(first.got).toMatchObject({ size: 10, range: { start: 0, end: 0 } });
      const middle = await read(3, 5);
      expect(middle.text).toBe('345');
      expect(middle.got.range).toEqual({ start: 3, end: 5 });
      expect((await read(9, 9)).text).toBe('9');
      const open = await read(7);
      expect(open.text).toBe('789');
      expect(open.got.range).toEqual({ start: 7, end: 9 });
    });

    it('clamps an end past the object', async () => {
      const past = await read(8, 100);
      expect(past.text).toBe('89');
      expect(past.got.range).toEqual({ start: 8, end: 9 });
    });

    it('refuses a start at or past the size with INVALID_RANGE', async () => {
      expect(await codeOf(backend.get('r.webm', { start: 10 }))).toBe('INVALID_RANGE');
      expect(await codeOf(backend.get('r.webm', { start: 50, end: 60 }))).toBe('INVALID_RANGE');
    });
  });

  describe('list', () => {
    const keys = ['a/a/x.webm', 'a/a/y/z.webm', 'a/aaa/x.webm', 'a/a.webm', 'a/ab.webm', 'b/c.ogg', 'top.mp3'];
    beforeEach(async () => {
      for (const key of keys) await put(backend, key, bytes(key), 'audio/webm', { key });
      await put(backend, '.audio-store/selftest/canary.wav', bytes('canary'), 'audio/wav');
      env.sync.mkdirSync(tmpDir(), { recursive: true });
      env.sync.writeFileSync(env.join(tmpDir(), 'stray.tmp'), 'half a write');
    });

    it('lists every object, skipping .audio-store, temp and sidecar files', async () => {
      const all = await collect(backend.list(''));
      expect(all.map((e) => e.key).sort()).toEqual([...keys].sort());
      for (const entry of all) {
        expect(entry).toMatchObject({ size: entry.key.length, contentType: 'audio/webm', metadata: { key: entry.key } });
        expect(entry.lastModified).toBeInstanceOf(Date);
      }
    });

    it("keeps 'a/a/' apart from 'a/aaa/' and matches plain string prefixes", async () => {
      expect(await keysOf(backend.list('a/a/'))).toEqual(['a/a/x.webm', 'a/a/y/z.webm']);
      expect(await keysOf(backend.list('a/a'))).toEqual(['a/a.webm', 'a/a/x.webm', 'a/a/y/z.webm', 'a/aaa/x.webm', 'a/ab.webm']);
      expect(await keysOf(backend.list('a/'))).toEqual(['a/a.webm', 'a/a/x.webm', 'a/a/y/z.webm', 'a/aaa/x.webm', 'a/ab.webm']);
      expect(await keysOf(backend.list('t'))).toEqual(['top.mp3']);
      expect(await keysOf(backend.list('top.mp3'))).toEqual(['top.mp3']);
      expect(await keysOf(backend.list('nothing/'))).toEqual([]);
      expect(await keysOf(backend.list('top.mp3/'))).toEqual([]);
    });

    it('starts the walk at the deepest folder the prefix names', async () => {
      const readdir = vi.spyOn(env.fs.promises, 'readdir');
      expect(await keysOf(backend.list('a/a/y/'))).toEqual(['a/a/y/z.webm']);
      expect(readdir.mock.calls.map(([dir]) => dir)).toEqual([env.join(env.dir, 'a', 'a', 'y')]);
    });

    it('lists the reserved folder only when asked, and never its own files', async () => {
      expect(await keysOf(backend.list('.audio-store/selftest/'))).toEqual(['.audio-store/selftest/canary.wav']);
      expect(await keysOf(backend.list('.audio-store/'))).toEqual(['.audio-store/selftest/canary.wav']);
      expect(await codeOf(collect(backend.list('.audio-store/local/')))).toBe('INVALID_KEY');
    });
  });

  describe('delete', () => {
    it('removes the file and its sidecar, then the empty folders above it but not the root', async () => {
      await put(backend, 'x/y/z/deep.webm', bytes('deep'));
      await put(backend, 'x/keep.webm', bytes('keep'));
      await backend.delete('x/y/z/deep.webm');
      expect(env.sync.existsSync(env.join(env.dir, 'x', 'y'))).toBe(false);
      expect(env.sync.existsSync(env.join(env.dir, 'x', 'keep.webm'))).toBe(true);
      expect(filesUnder(env.sync, env.join, metaDir())).toHaveLength(1);
      await backend.delete('x/keep.webm');
      expect(env.sync.existsSync(env.join(env.dir, 'x'))).toBe(false);
      expect(env.sync.existsSync(env.dir)).toBe(true);
      expect(filesUnder(env.sync, env.join, metaDir())).toEqual([]);
      expect(await codeOf(backend.head('x/keep.webm'))).toBe('NOT_FOUND');
    });

    it('never removes the root, even when the delete empties it', async () => {
      await put(backend, 'only/one.webm', bytes('1'));
      env.sync.rmSync(env.join(env.dir, '.audio-store'), { recursive: true, force: true });
      await backend.delete('only/one.webm');
      expect(env.sync.existsSync(env.join(env.dir, 'only'))).toBe(false);
      expect(env.sync.existsSync(env.dir)).toBe(true);
    });

    it('succeeds for a missing key and leaves a folder of other keys alone', async () => {
      await put(backend, 'folder/inside.webm', bytes('in'));
      await backend.delete('never/was.webm');
      await backend.delete('folder');
      expect((await readAll((await backend.get('folder/inside.webm')).body)).toString()).toBe('in');
    });

    it('recreates a folder that a concurrent delete pruned between mkdir and rename', async () => {
      const rename = env.fs.promises.rename.bind(env.fs.promises);
      const folder = env.join(env.dir, 'p', 'q');
      let pruned = false;
      vi.spyOn(env.fs.promises, 'rename').mockImplementation(async (from, to) => {
        if (!pruned && to.startsWith(folder)) {
          pruned = true;
          env.sync.rmSync(env.join(env.dir, 'p'), { recursive: true, force: true });
        }
        return rename(from, to);
      });
      await put(backend, 'p/q/two.webm', bytes('2'));
      expect(pruned).toBe(true);
      expect((await readAll((await backend.get('p/q/two.webm')).body)).toString()).toBe('2');
      expect(tempFiles()).toEqual([]);
    });
  });

  describe('sidecar fallback', () => {
    it('derives the type from the extension when the sidecar is missing', async () => {
      await put(backend, 'voice/n.ogg', bytes('ogg bytes'), 'audio/ogg;codecs=opus', { a: '1' });
      env.sync.rmSync(metaDir(), { recursive: true, force: true });
      expect(await backend.head('voice/n.ogg')).toMatchObject({ contentType: 'audio/ogg', metadata: {} });
      expect(await collect(backend.list('voice/'))).toMatchObject([{ contentType: 'audio/ogg', metadata: {} }]);
    });

    it('ignores a sidecar whose size disagrees with the file', async () => {
      await put(backend, 'stale.mp3', bytes('short'), 'audio/x-custom', { a: '1' });
      env.sync.writeFileSync(env.join(env.dir, 'stale.mp3'), 'a longer body written behind our back');
      expect(await backend.head('stale.mp3')).toMatchObject({ contentType: 'audio/mpeg', metadata: {} });
    });

    it('ignores a sidecar of an earlier file of the same size', async () => {
      await put(backend, 'same.wav', bytes('first'), 'audio/x-custom', { version: '1' });
      // A file replaced outside the library (or by a put that failed between its two renames).
      const target = env.join(env.dir, 'same.wav');
      env.sync.writeFileSync(target + '.new', 'other');
      env.sync.renameSync(target + '.new', target);
      expect(await backend.head('same.wav')).toMatchObject({ size: 5, contentType: 'audio/wav', metadata: {} });
    });

    it('maps every known extension, in any case', async () => {
      const expected: Record<string, string> = {
        'a.webm': 'audio/webm',
        'a.ogg': 'audio/ogg',
        'a.opus': 'audio/ogg',
        'a.oga': 'audio/ogg',
        'a.m4a': 'audio/mp4',
        'a.mp4': 'audio/mp4',
        'a.mp3': 'audio/mpeg',
        'A.MP3': 'audio/mpeg',
        'a.wav': 'audio/wav',
        'a.aac': 'audio/aac',
        'a.flac': 'audio/flac',
        'a.bin': 'application/octet-stream',
        'noext': 'application/octet-stream',
        'a.constructor': 'application/octet-stream',
      };
      env.sync.mkdirSync(env.dir, { recursive: true });
      for (const name of Object.keys(expected)) env.sync.writeFileSync(env.join(env.dir, name), 'raw');
      for (const [name, type] of Object.entries(expected)) expect((await backend.head(name)).contentType, name).toBe(type);
    });
  });

  describe('url', () => {
    const key = 'voice notes/ünï 日本+&#?.webm';
    const encoded = 'voice%20notes/%C3%BCn%C3%AF%20%E6%97%A5%E6%9C%AC%2B%26%23%3F.webm';

    it('joins baseUrl, publicPath and the encoded key', async () => {
      const withBase = createLocalBackend(env.config({ baseUrl: 'https://api.example.com' }));
      expect(await withBase.url(key, { expiresIn: 60 })).toBe(`https://api.example.com/audio/${encoded}`);
    });

    it('is relative without a baseUrl', async () => {
      expect(await backend.url(key, { expiresIn: 60 })).toBe(`/audio/${encoded}`);
    });

    it('decodes back to the key for any segments', async () => {
      const segment = fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }).filter((s) => !s.includes('/') && s !== '.' && s !== '..' && !s.includes('\\') && !s.includes('\0'));
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 4 }), async (segments) => {
          const url = await backend.url(segments.join('/'), { expiresIn: 60 });
          expect(url.startsWith('/audio/')).toBe(true);
          expect(url.slice('/audio/'.length).split('/').map(decodeURIComponent)).toEqual(segments);
          expect(url).not.toMatch(/[ ?#]/);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('keys outside the root', () => {
    const escapes = ['../secret.txt', 'a/../../secret.txt', '/etc/passwd', 'a//b', './a', 'a/.', 'a\\b', '.audio-store', '.audio-store/local/meta/x.json', ''];

    it('refuses every method, and touches nothing outside', async () => {
      env.sync.mkdirSync(env.dir, { recursive: true });
      env.sync.writeFileSync(env.outside, 'secret');
      for (const key of escapes) {
        expect(await codeOf(put(backend, key, bytes('evil'))), key).toBe('INVALID_KEY');
        expect(await codeOf(backend.get(key)), key).toBe('INVALID_KEY');
        expect(await codeOf(backend.head(key)), key).toBe('INVALID_KEY');
        expect(await codeOf(backend.delete(key)), key).toBe('INVALID_KEY');
        expect(await codeOf(backend.url(key, { expiresIn: 60 })), key).toBe('INVALID_KEY');
      }
      expect(await codeOf(collect(backend.list('../')))).toBe('INVALID_KEY');
      expect(await codeOf(collect(backend.list('a/../../')))).toBe('INVALID_KEY');
      expect(readBytes(env.sync, env.outside).toString()).toBe('secret');
      expect(tempFiles()).toEqual([]);
    });

    it('accepts the core’s reserved keys outside its own folder', async () => {
      await put(backend, '.audio-store/selftest/c.wav', bytes('canary'), 'audio/wav');
      expect((await readAll((await backend.get('.audio-store/selftest/c.wav', { start: 1, end: 2 })).body)).toString()).toBe('an');
      await backend.delete('.audio-store/selftest/c.wav');
      expect(await codeOf(backend.head('.audio-store/selftest/c.wav'))).toBe('NOT_FOUND');
    });
  });

  describe('temp files', () => {
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

    it('sweeps temp files older than an hour on the first write, and keeps fresh ones', async () => {
      env.sync.mkdirSync(tmpDir(), { recursive: true });
      env.sync.writeFileSync(env.join(tmpDir(), 'crashed.tmp'), 'left by a crash');
      env.sync.utimesSync(env.join(tmpDir(), 'crashed.tmp'), hoursAgo(2), hoursAgo(2));
      env.sync.writeFileSync(env.join(tmpDir(), 'other-process.tmp'), 'being written');
      await put(backend, 'trigger.webm', bytes('t'));
      expect(tempFiles()).toEqual(['other-process.tmp']);
    });

    it('never sweeps a write of its own that is still in progress, however old', async () => {
      let finish = () => {};
      const slow = controlledBody([bytes('slow '), bytes('but whole')], () => new Promise<void>((resolve) => (finish = resolve)));
      const writing = put(backend, 'slow.webm', slow);
      await vi.waitFor(() => expect(tempFiles().length).toBe(1));
      const [inProgress] = tempFiles();
      env.sync.utimesSync(env.join(tmpDir(), inProgress as string), hoursAgo(3), hoursAgo(3));
      env.sync.writeFileSync(env.join(tmpDir(), 'crashed.tmp'), 'old');
      env.sync.utimesSync(env.join(tmpDir(), 'crashed.tmp'), hoursAgo(3), hoursAgo(3));
      // Two hours later, by the backend's clock: the next write is due to sweep again.
      const now = Date.now();
      vi.spyOn(Date, 'now').mockReturnValue(now + 2 * 3600_000);
      await put(backend, 'later.webm', bytes('later'));
      expect(tempFiles()).toEqual([inProgress]);
      finish();
      await writing;
      expect((await readAll((await backend.get('slow.webm')).body)).toString()).toBe('slow but whole');
    });
  });

  describe('check, describe and classifyError', () => {
    it('checks that the directory is writable and leaves no probe behind', async () => {
      await backend.check();
      expect(env.sync.existsSync(tmpDir())).toBe(true);
      expect(tempFiles()).toEqual([]);
      expect(await keysOf(backend.list(''))).toEqual([]);
    });

    it('throws the native error when the disk refuses the write, classified ACCESS_DENIED', async () => {
      const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      vi.spyOn(env.fs.promises, 'open').mockRejectedValue(denied);
      const err = await backend.check().then(() => undefined, (e: unknown) => e);
      expect(err).toBe(denied);
      expect(backend.classifyError?.(err)).toBe('ACCESS_DENIED');
    });

    it('classifies native errors', () => {
      const errno = (code: string) => Object.assign(new Error(code), { code });
      const expected: Record<string, string | undefined> = {
        ENOENT: 'NOT_FOUND',
        EACCES: 'ACCESS_DENIED',
        EPERM: 'ACCESS_DENIED',
        EROFS: 'ACCESS_DENIED',
        ENAMETOOLONG: 'INVALID_KEY',
        ENOTDIR: undefined,
        EISDIR: undefined,
        ENOSPC: undefined,
      };
      for (const [code, want] of Object.entries(expected)) expect(backend.classifyError?.(errno(code)), code).toBe(want);
      expect(backend.classifyError?.('not an error')).toBeUndefined();
      expect(backend.classifyError?.(new AudioStoreError('TOO_LARGE', 'x'))).toBe('TOO_LARGE');
    });

    it('describes itself without secrets', () => {
      const description = backend.describe?.() ?? {};
      const underTmp = env.fs === nodeFs;
      expect(description.warnings ?? []).toHaveLength(underTmp ? 1 : 0);
      expect(JSON.stringify(description)).not.toContain(env.dir);
    });
  });
});

describe('local backend listing, property-based (memfs)', () => {
  it('lists exactly the stored keys that start with the prefix', async () => {
    const segment = fc.constantFrom('a', 'aa', 'ab', 'b', 'a.b', 'é');
    const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 8 }), key, fc.nat(), async (candidates, probe, cut) => {
        // A key cannot also be a folder of other keys on disk.
        const keys = candidates.filter((k) => !candidates.some((other) => other.startsWith(`${k}/`)));
        const prefix = probe.slice(0, cut % (probe.length + 1));
        const backend = createLocalBackend({ dir: '/root', fs: createFsFromVolume(new Volume()), publicPath: '/audio' });
        for (const k of keys) await put(backend, k, bytes(k));
        expect(await keysOf(backend.list(prefix))).toEqual(keys.filter((k) => k.startsWith(prefix)).sort());
      }),
      { numRuns: 60 },
    );
  });
});

describe('local backend describe (real disk)', () => {
  it('warns when the root is inside the system temp directory, and only then', () => {
    const underTmp = createLocalBackend({ dir: nodePath.join(os.tmpdir(), 'x'), publicPath: '/audio' });
    expect(underTmp.describe?.().warnings).toEqual([expect.stringContaining('temp directory')]);
    const elsewhere = createLocalBackend({ dir: nodePath.join(nodePath.parse(os.tmpdir()).root, 'srv', 'audio-never-created'), publicPath: '/audio' });
    expect(elsewhere.describe?.().warnings).toBeUndefined();
  });
});
