import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ingestBody } from '../src/core/body.js';
import { chooseContentType, contentTypeForKey, formatForDetectedExt } from '../src/core/formats.js';
import { sniffAudio } from '../src/core/sniff.js';
import { isAudioStoreError } from '../src/errors.js';
import { readAll } from '../src/testing/audio.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('sniffing real recordings', () => {
  it.each([
    ['voice.webm', 'audio/webm', 'webm'],
    ['voice.ogg', 'audio/ogg', 'ogg'],
    ['voice.m4a', 'audio/mp4', 'm4a'],
    ['voice.mp4', 'audio/mp4', 'm4a'],
    ['voice.mp3', 'audio/mpeg', 'mp3'],
    ['voice.wav', 'audio/wav', 'wav'],
    ['voice.aac', 'audio/aac', 'aac'],
    ['voice.flac', 'audio/flac', 'flac'],
  ])('%s is %s', async (file, type, ext) => {
    const format = await sniffAudio(fixture(file), undefined);
    expect(format.contentType).toBe(type);
    expect(format.ext).toBe(ext);
  });

  it.each(['not-audio.png', 'not-audio.txt'])('%s is UNSUPPORTED_TYPE', async (file) => {
    await expect(sniffAudio(fixture(file), 'k.wav')).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE', key: 'k.wav' });
  });
});

describe('content type choice', () => {
  const webm = formatForDetectedExt('webm');
  if (!webm) throw new Error('webm must be supported');
  it('keeps a declared type with codec parameters when it agrees', () => {
    expect(chooseContentType(webm, 'audio/webm;codecs=opus')).toBe('audio/webm;codecs=opus');
    expect(chooseContentType(webm, 'video/webm')).toBe('video/webm');
  });
  it('replaces a declared type that disagrees, and fills a missing one', () => {
    expect(chooseContentType(webm, 'audio/mpeg')).toBe('audio/webm');
    expect(chooseContentType(webm, 'text/html')).toBe('audio/webm');
    expect(chooseContentType(webm, undefined)).toBe('audio/webm');
  });
  it('guesses from extensions for files without a stored type', () => {
    expect(contentTypeForKey('a/b.WEBM')).toBe('audio/webm');
    expect(contentTypeForKey('a.b/c')).toBe('application/octet-stream');
    expect(contentTypeForKey('x.exe')).toBe('application/octet-stream');
    expect(contentTypeForKey('x.toString')).toBe('application/octet-stream');
  });
  it('does not treat inherited object names as formats', () => {
    expect(formatForDetectedExt('constructor')).toBeUndefined();
  });
});

describe('ingestBody', () => {
  it('sniffs across small chunks and streams every byte on', async () => {
    const bytes = fixture('voice.webm');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const ingested = await ingestBody(Readable.from(chunks), 1_000_000, undefined);
    expect(ingested.format.ext).toBe('webm');
    expect((await readAll(ingested.stream)).equals(bytes)).toBe(true);
    expect(ingested.totals().size).toBe(bytes.length);
    expect(ingested.totals().sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops reading a source at the limit and hands it back undestroyed', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(pulled === 1 ? fixture('voice.wav') : Buffer.alloc(65536));
      },
    });
    const ingested = await ingestBody(endless, 200_000, 'k.wav');
    const err = await readAll(ingested.stream).catch((e: unknown) => e);
    expect(isAudioStoreError(err, 'TOO_LARGE')).toBe(true);
    expect(ingested.failure()?.code).toBe('TOO_LARGE');
    expect(pulled).toBeLessThan(10);
    // The caller owns the stream (an HTTP request whose socket must still carry the 413 reply).
    expect(endless.destroyed).toBe(false);
    const after = pulled;
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled - after).toBeLessThanOrEqual(1);
    expect(endless.listenerCount('data') + endless.listenerCount('readable')).toBe(0);
  });

  it('rejects a known-size body over the limit before reading it', async () => {
    await expect(ingestBody(new Blob([new Uint8Array(2000)]), 1000, 'k')).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('rejects string chunks and non-body values', async () => {
    await expect(ingestBody(Readable.from(['text']), 1000, 'k')).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    await expect(ingestBody('a string' as never, 1000, 'k')).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
  });

  it('reports a source that breaks before sniffing as a typed error', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(ingestBody(broken, 1000, 'k')).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('socket hang up') });
  });
});
