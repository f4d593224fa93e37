import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createAudioStore, isAudioStoreError, type AudioStoreLogger, type StorageBackend } from '../src/index.js';
import { createMemoryBackend, makeWav, readAll } from '../src/testing/index.js';

function capture(): AudioStoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

describe('createAudioStore logging', () => {
  it('says it falls back to local storage when S3 is not configured', () => {
    const logger = capture();
    const store = createAudioStore({ env: {}, logger, local: { dir: '/tmp/audio-store-never-written' } });
    expect(store.storageType).toBe('local');
    expect(logger.lines).toEqual(['info [S3] S3 not configured - falling back to local storage']);
  });

  it('warns in production that local files may not persist', () => {
    const logger = capture();
    createAudioStore({ env: { NODE_ENV: 'production' }, logger });
    expect(logger.lines[1]).toMatch(/^warn .*may not persist/);
  });

  it('says S3 is configured, and never prints a secret', async () => {
    const logger = capture();
    const store = createAudioStore({
      env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1', AWS_S3_BUCKET: 'voice-notes', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' },
      logger,
      debug: true,
      startupCheck: false,
    });
    expect(store.storageType).toBe('s3');
    expect(logger.lines[0]).toBe('info [S3] S3 service configured successfully');
    const status = await store.status();
    expect(status.connection.ok).toBe(false);
    expect(status.connection.error?.code).toBe('CONNECTION_FAILED');
    const everything = JSON.stringify(status) + logger.lines.join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(KEY_ID);
  });

  it('logs each operation at debug level only when asked', async () => {
    const quiet = capture();
    const store = createAudioStore({ backend: createMemoryBackend(), logger: quiet });
    await store.put(makeWav(100), { key: 'a.wav' });
    expect(quiet.lines.filter((l) => l.startsWith('debug'))).toEqual([]);

    const loud = capture();
    const debugStore = createAudioStore({ backend: createMemoryBackend(), logger: loud, env: { AUDIO_STORE_DEBUG: '1' } });
    await debugStore.put(makeWav(100), { key: 'a.wav' });
    await debugStore.get('a.wav').catch(() => undefined);
    await debugStore.get('missing.wav').catch(() => undefined);
    const debug = loud.lines.filter((l) => l.startsWith('debug'));
    expect(debug[0]).toMatch(/put backend="memory" key="a.wav" size=100 contentType="audio\/wav" url="absolute"/);
    expect(debug.some((l) => /get failed .*code="NOT_FOUND"/.test(l))).toBe(true);
  });

  it('runs the startup check in the background without an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const logger = capture();
      const failing: StorageBackend = { ...createMemoryBackend(), name: 'flaky', check: () => Promise.reject(new Error('boom')) };
      createAudioStore({ backend: failing, logger, startupCheck: true });
      await vi.waitFor(() => expect(logger.lines.some((l) => l.includes('connection test failed'))).toBe(true));
      expect(logger.lines.find((l) => l.includes('connection test failed'))).toMatch(/^error \[audio-store\] flaky connection test failed: BACKEND_ERROR: .*boom/);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('stays silent with logger: false', () => {
    const spy = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      createAudioStore({ env: {}, logger: false });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('custom backends', () => {
  it('refuses an object that is not a backend', () => {
    expect(() => createAudioStore({ backend: { name: 'x' } as unknown as StorageBackend, logger: false })).toThrow(/missing: name, put, get/);
  });

  it('wraps native errors once, classified by the backend, with the key and the cause', async () => {
    const native = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    const backend: StorageBackend = {
      ...createMemoryBackend(),
      name: 'custom',
      head: () => Promise.reject(native),
      classifyError: (err) => ((err as { code?: string }).code === 'EACCES' ? 'ACCESS_DENIED' : undefined),
    };
    const store = createAudioStore({ backend, logger: false });
    const err = await store.head('a/b.wav').catch((e: unknown) => e);
    expect(isAudioStoreError(err, 'ACCESS_DENIED')).toBe(true);
    expect(err).toMatchObject({ key: 'a/b.wav', cause: native });
    expect((err as Error).message).toContain('"a/b.wav"');
  });

  it('refuses a backend that resolves put without reading the body', async () => {
    const lazy: StorageBackend = { ...createMemoryBackend(), name: 'lazy', put: async () => ({}) };
    const store = createAudioStore({ backend: lazy, logger: false });
    await expect(store.put(makeWav(10_000), { key: 'x.wav' })).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
  });
});

describe('selfTest', () => {
  it('reports the failing step and still deletes the canary', async () => {
    const memory = createMemoryBackend();
    const corrupting: StorageBackend = {
      ...memory,
      name: 'corrupting',
      get: async (key, range) => {
        const got = await memory.get(key, range);
        return { ...got, body: Readable.from([Buffer.from('garbage')]) };
      },
    };
    const result = await createAudioStore({ backend: corrupting, logger: false }).selfTest();
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => [s.name, s.ok])).toEqual([
      ['put', true],
      ['get', false],
      ['delete', true],
      ['confirm-deleted', true],
    ]);
    expect(result.steps[1]?.error?.message).toMatch(/did not match/);
    const left: string[] = [];
    for await (const e of memory.list('')) left.push(e.key);
    expect(left).toEqual([]);
  });

  it('fails confirm-deleted when delete does nothing', async () => {
    const memory = createMemoryBackend();
    const sticky: StorageBackend = { ...memory, name: 'sticky', delete: async () => undefined };
    const result = await createAudioStore({ backend: sticky, logger: false }).selfTest();
    expect(result.ok).toBe(false);
    expect(result.steps.at(-1)).toMatchObject({ name: 'confirm-deleted', ok: false });
  });
});

describe('status', () => {
  it('never throws, even when describe and check fail', async () => {
    const broken: StorageBackend = {
      ...createMemoryBackend(),
      name: 'broken',
      describe: () => {
        throw new Error('describe blew up');
      },
      check: () => Promise.reject(new Error('down')),
    };
    const status = await createAudioStore({ backend: broken, logger: false }).status();
    expect(status.connection).toMatchObject({ ok: false, error: { code: 'BACKEND_ERROR' } });
    expect(status.warnings.join()).toContain('describe blew up');
    expect(status.persistent).toBe(false);
  });

  it('gives up on a check that hangs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const hanging: StorageBackend = { ...createMemoryBackend(), check: () => new Promise(() => undefined) };
      const pending = createAudioStore({ backend: hanging, logger: false }).status();
      await vi.advanceTimersByTimeAsync(10_001);
      expect((await pending).connection.error?.code).toBe('CONNECTION_FAILED');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('get', () => {
  it('hands back a stream that has not been read yet', async () => {
    const store = createAudioStore({ backend: createMemoryBackend(), logger: false });
    await store.put(makeWav(1000), { key: 'x.wav' });
    const got = await store.get('x.wav');
    expect(got.body.readableEnded).toBe(false);
    expect((await readAll(got.body)).length).toBe(1000);
  });
});

describe('failed puts', () => {
  it('leave the caller able to answer an HTTP upload with 413 or 415', async () => {
    const http = await import('node:http');
    const store = createAudioStore({ backend: createMemoryBackend(), maxBytes: 50_000, logger: false });
    const server = http.createServer(async (req, res) => {
      try {
        const saved = await store.put(req);
        res.writeHead(201).end(saved.key);
      } catch (err) {
        const status = isAudioStoreError(err, 'TOO_LARGE') ? 413 : isAudioStoreError(err, 'UNSUPPORTED_TYPE') ? 415 : 500;
        res.writeHead(status, { connection: 'close' }).end(isAudioStoreError(err) ? err.code : 'error');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const send = async (body: Uint8Array<ArrayBuffer>) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
      return [res.status, await res.text()];
    };
    try {
      expect(await send(new Uint8Array(makeWav(1000)))).toEqual([201, expect.stringMatching(/\.wav$/)]);
      expect(await send(new Uint8Array(20_000).fill(7))).toEqual([415, 'UNSUPPORTED_TYPE']);
      expect(await send(new Uint8Array(makeWav(400_000)))).toEqual([413, 'TOO_LARGE']);
    } finally {
      server.close();
    }
  });

  it('hand back a source the backend never read, neither destroyed nor still attached', async () => {
    const refusing: StorageBackend = { ...createMemoryBackend(), name: 'refusing', put: () => Promise.reject(new Error('disk on fire')) };
    const store = createAudioStore({ backend: refusing, logger: false });
    const source = Readable.from([makeWav(10_000).subarray(0, 5000), makeWav(10_000).subarray(5000)], { objectMode: false });
    await expect(store.put(source, { key: 'x.wav' })).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('disk on fire') });
    expect(source.destroyed).toBe(false);
    expect(source.listenerCount('data') + source.listenerCount('readable')).toBe(0);
  });

  it('leave nothing when the backend stops reading half-way', async () => {
    const memory = createMemoryBackend();
    const partial: StorageBackend = {
      ...memory,
      name: 'partial',
      put: async (input) => {
        const first: Uint8Array[] = [];
        for await (const chunk of input.body) {
          first.push(chunk as Uint8Array);
          break;
        }
        return memory.put({ ...input, body: Readable.from(first) });
      },
    };
    const store = createAudioStore({ backend: partial, logger: false });
    const body = Readable.from([makeWav(10_000).subarray(0, 5000), makeWav(10_000).subarray(5000)], { objectMode: false });
    await expect(store.put(body, { key: 'x.wav' })).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
    expect(await store.exists('x.wav')).toBe(false);
  });

  it('store nothing when no URL can be made for the key', async () => {
    const memory = createMemoryBackend();
    const noUrls: StorageBackend = { ...memory, name: 'no-urls', url: () => Promise.reject(new Error('signer down')) };
    const store = createAudioStore({ backend: noUrls, logger: false });
    await expect(store.put(makeWav(1000), { key: 'x.wav' })).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
    expect(await store.exists('x.wav')).toBe(false);
  });
});

describe('secrets', () => {
  it('are redacted from errors, logs and status even when the store echoes them', async () => {
    const echo = () => Promise.reject(new Error(`The AWS Access Key Id ${KEY_ID} with secret ${SECRET} is not valid`));
    const leaky: StorageBackend = { ...createMemoryBackend(), name: 'leaky', check: echo, head: echo, delete: echo };
    const logger = capture();
    const store = createAudioStore({ backend: leaky, logger, debug: true, env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET } });
    const headErr = (await store.head('a.wav').catch((e: unknown) => e)) as Error;
    const deleteErr = (await store.delete('a.wav').catch((e: unknown) => e)) as Error;
    const status = await store.status();
    const selfTest = await store.selfTest();
    const everything = [headErr.message, deleteErr.message, JSON.stringify(status), JSON.stringify(selfTest), ...logger.lines].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(KEY_ID);
  });
});

describe('isAudioStoreError', () => {
  it('recognises errors from another copy of the library by their brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'NOT_FOUND', [Symbol.for('audio-store.AudioStoreError')]: true });
    expect(isAudioStoreError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isAudioStoreError(Object.assign(new Error('x'), { code: 'NOT_FOUND' }))).toBe(false);
  });

  it('keeps the code of a branded error a custom backend throws from another copy', async () => {
    const foreign = () => Promise.reject(Object.assign(new Error('gone'), { code: 'NOT_FOUND', [Symbol.for('audio-store.AudioStoreError')]: true }));
    const backend: StorageBackend = { ...createMemoryBackend(), name: 'foreign', head: foreign };
    const store = createAudioStore({ backend, logger: false });
    await expect(store.head('a.wav')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.exists('a.wav')).toBe(false);
  });
});
