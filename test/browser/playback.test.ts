/**
 * Stored voice notes PLAY in a real browser: Debian's headless Chromium loads each committed
 * recording from the URL the store returned, reads its duration, seeks, and plays it, from local
 * disk (served by a minimal node:http handler, with byte ranges) and from real S3 (presigned URLs
 * on a throwaway Ceph RGW, when the run has one). Also checks the README's CORS advice: a page on
 * another origin can `fetch()` a presigned URL only once the bucket has the README's CORS rule.
 *
 * Skips with one line without /usr/bin/chromium (`bash scripts/install-browser.sh`), and fails
 * instead when AUDIO_STORE_TEST_BROWSER=1 (CI).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketCorsCommand, GetObjectCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioStore, type AudioStore, type StoredAudio } from '../../src/index.js';
import {
  callPage,
  pageErrors,
  skipBrowserTests,
  startAudioServer,
  startPageServer,
  useBrowser,
  type AudioServer,
  type LocalServer,
  type PlayReport,
} from '../support/browser.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const skip = skipBrowserTests();
const target = realS3Target();

/** Every committed recording (test/fixtures/README.md) and the type the store sniffs for it. */
const FIXTURES = [
  ['voice.webm', 'audio/webm'],
  ['voice.ogg', 'audio/ogg'],
  ['voice.mp3', 'audio/mpeg'],
  ['voice.wav', 'audio/wav'],
  ['voice.flac', 'audio/flac'],
  ['voice.m4a', 'audio/mp4'],
  ['voice.aac', 'audio/aac'],
  ['voice.mp4', 'audio/mp4'],
] as const;
type Fixture = (typeof FIXTURES)[number][0];

/** Royalty-free formats every Chromium build plays; AAC and MP4 depend on the build's codecs. */
const ALWAYS_PLAYABLE: readonly string[] = ['audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/wav', 'audio/flac'];

/** The tones are 0.5 s; containers and encoders add priming and padding (measured up to ~0.05 s). */
const DURATION = 0.5;
const DURATION_TOLERANCE = 0.1;

const fixture = (name: Fixture) => readFile(new URL(`../fixtures/${name}`, import.meta.url));

function describePlay(report: PlayReport, errors: readonly string[]): string {
  return JSON.stringify({ ...report, pageErrors: errors });
}

/**
 * Where each recording is seeked to before playing. Chromium's FFmpeg FLAC demuxer fails to seek
 * into parts of very short FLAC files (voice.flac has no SEEKTABLE block): in the 0.5 s
 * voice.flac, to 0.30-0.38 s ("FFmpegDemuxer: demuxer seek failed", MEDIA_ERR_NETWORK), from a
 * data: URL just the same, so not the store's doing (a test below compares the two). 5 s FLAC
 * tones made with the same FFmpeg command seek anywhere.
 */
const seekTarget = (name: Fixture) => (name === 'voice.flac' ? 0.1 : 0.3);

/** Asserts that the probe loaded metadata, seeked and played, with a readable message if not. */
function expectPlayed(report: PlayReport, page: Page, what: string, seekTo = 0.3): void {
  const why = `${what}: ${describePlay(report, pageErrors(page))}`;
  expect(report.stage, why).toBe('done');
  expect(report.error, why).toBeNull();
  expect(report.duration, why).toBeGreaterThan(DURATION - DURATION_TOLERANCE);
  expect(report.duration, why).toBeLessThan(DURATION + DURATION_TOLERANCE);
  expect(Math.abs((report.seekedTo ?? -1) - seekTo), why).toBeLessThan(0.02);
  expect(report.ended || (report.playedTo ?? 0) >= seekTo + 0.05, why).toBe(true);
}

describe.skipIf(skip)('browser playback in headless Chromium', () => {
  const chromium = useBrowser();
  let pages: LocalServer;

  beforeAll(async () => {
    pages = await startPageServer();
  });
  afterAll(async () => {
    await pages?.close();
  });

  describe('local disk, served by a node:http handler with byte ranges', () => {
    let dir: string;
    let audio: AudioServer;
    let store: AudioStore;
    let page: Page;
    const saved = new Map<Fixture, StoredAudio>();
    const bytes = new Map<Fixture, Buffer>();
    const playable = new Map<Fixture, string>();
    const durations = new Map<Fixture, number>();

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'audio-store-browser-'));
      audio = await startAudioServer(() => store);
      store = createAudioStore({ env: { AUDIO_STORE_DIR: dir, AUDIO_STORE_BASE_URL: audio.origin }, logger: false });
      for (const [name] of FIXTURES) {
        const body = await fixture(name);
        bytes.set(name, body);
        saved.set(name, await store.put(body)); // no declared type: the stored one is sniffed
      }
      page = await chromium.open(`${pages.origin}/`);
      for (const [name, type] of FIXTURES) playable.set(name, await callPage(page, 'canPlay', type));
      const cannot = FIXTURES.filter(([name]) => playable.get(name) === '').map(([name, type]) => `${name} (${type})`);
      console.log(
        `[browser] ${chromium.browser.version()}: ` +
          FIXTURES.map(([name, type]) => `${name} ${type}=${JSON.stringify(playable.get(name))}`).join(', ') +
          (cannot.length > 0 ? `; cannot play: ${cannot.join(', ')} (only their HTTP serving is checked)` : ''),
      );
    });

    afterAll(async () => {
      if (durations.size > 0) console.log(`[browser] played (duration): ${[...durations].map(([n, d]) => `${n} ${d.toFixed(3)} s`).join(', ')}`);
      await page?.context().close();
      await audio?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('stores every recording with its sniffed type, and the handler serves it whole, in ranges, and HEAD', async () => {
      for (const [name, type] of FIXTURES) {
        const note = saved.get(name)!;
        const body = bytes.get(name)!;
        expect(note, name).toMatchObject({ contentType: type, size: body.length, storageType: 'local' });
        expect(note.url, name).toBe(`${audio.origin}/audio/${note.key}`);

        const whole = await fetch(note.url);
        expect(whole.status, name).toBe(200);
        expect(whole.headers.get('content-type'), name).toBe(type);
        expect(whole.headers.get('accept-ranges'), name).toBe('bytes');
        expect(Number(whole.headers.get('content-length')), name).toBe(body.length);
        expect(Buffer.from(await whole.arrayBuffer()).equals(body), name).toBe(true);

        const part = await fetch(note.url, { headers: { Range: 'bytes=4-11' } });
        expect(part.status, name).toBe(206);
        expect(part.headers.get('content-type'), name).toBe(type);
        expect(part.headers.get('content-range'), name).toBe(`bytes 4-11/${body.length}`);
        expect(Number(part.headers.get('content-length')), name).toBe(8);
        expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(4, 12)), name).toBe(true);

        const tail = await fetch(note.url, { headers: { Range: 'bytes=-5' } });
        expect(tail.status, name).toBe(206);
        expect(tail.headers.get('content-range'), name).toBe(`bytes ${body.length - 5}-${body.length - 1}/${body.length}`);
        expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(-5)), name).toBe(true);

        const head = await fetch(note.url, { method: 'HEAD' });
        expect(head.status, name).toBe(200);
        expect(head.headers.get('content-type'), name).toBe(type);
        expect(Number(head.headers.get('content-length')), name).toBe(body.length);
      }
    });

    it('answers 416 past the end and 404 for a missing note', async () => {
      const note = saved.get('voice.webm')!;
      const past = await fetch(note.url, { headers: { Range: `bytes=${note.size}-` } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${note.size}`);
      await past.arrayBuffer();
      const missing = await fetch(`${audio.origin}/audio/2020/01/01/missing.webm`);
      expect(missing.status).toBe(404);
      await missing.arrayBuffer();
    });

    it('Chromium can play the royalty-free formats', () => {
      for (const [name, type] of FIXTURES) {
        if (ALWAYS_PLAYABLE.includes(type)) expect(playable.get(name), `canPlayType('${type}') for ${name}`).not.toBe('');
      }
    });

    for (const [name, type] of FIXTURES) {
      const seekTo = seekTarget(name);
      it(`plays ${name} (${type}): metadata, duration, seek to ${seekTo} s, play on`, async () => {
        if (playable.get(name) === '') {
          // Not playable in this build: its serving is covered above (type, 206); say so.
          console.log(`[browser] ${name}: canPlayType('${type}') is empty in this Chromium; playback not asserted`);
          return;
        }
        const report = await callPage(page, 'play', saved.get(name)!.url, { seekTo, playPast: seekTo + 0.05 });
        expectPlayed(report, page, name, seekTo);
        durations.set(name, report.duration ?? NaN);
      });
    }

    it('seeking to 0.3 s in voice.flac behaves the same from the store as from the raw bytes in a data: URL', async () => {
      const options = { seekTo: 0.3, playPast: 0.35 };
      const fromStore = await callPage(page, 'play', saved.get('voice.flac')!.url, options);
      const fromBytes = await callPage(page, 'play', `data:audio/flac;base64,${bytes.get('voice.flac')!.toString('base64')}`, options);
      const summary = (r: PlayReport) => ({ stage: r.stage, error: r.error?.code ?? null, duration: r.duration });
      expect(summary(fromStore), JSON.stringify({ fromStore, fromBytes })).toEqual(summary(fromBytes));
      console.log(`[browser] voice.flac seek to 0.3 s: ${fromStore.stage === 'done' ? 'works' : `fails (${fromStore.failure})`}, from the store and from a data: URL alike`);
    });

    it('the browser fetched the notes with Range requests and got 206', () => {
      const media = audio.requests.filter((r) => r.path.startsWith('/audio/') && r.method === 'GET' && r.range !== undefined);
      const partial = media.filter((r) => r.status === 206);
      // The Node fetches of the first test also sent ranges; look only at the browser's (bytes=N-).
      const browser = partial.filter((r) => /^bytes=\d+-$/.test(r.range ?? ''));
      expect(browser.length, JSON.stringify(audio.requests)).toBeGreaterThan(0);
      for (const r of browser) expect(r.contentRange, JSON.stringify(r)).toMatch(/^bytes \d+-\d+\/\d+$/);
    });

    it('a missing note fires an error on the <audio> element', async () => {
      const report = await callPage(page, 'play', `${audio.origin}/audio/2020/01/01/missing.webm`, { timeoutMs: 10_000 });
      expect(report.stage, describePlay(report, [])).toBe('metadata');
      expect(report.error?.code, describePlay(report, [])).toBe(4); // MEDIA_ERR_SRC_NOT_SUPPORTED
    });
  });

  describe.skipIf(!target)('real S3: presigned URLs in a page of another origin', () => {
    if (!target) return;
    const bucket = useTestBucket(target, import.meta.url);
    let store: AudioStore;
    let page: Page;
    let cdp: CDPSession;
    /** Chromium's own log lines (where CORS failures are reported), and preflight requests seen. */
    const logLines: string[] = [];
    const preflights: string[] = [];
    const notes = new Map<'voice.webm' | 'voice.ogg', { saved: StoredAudio; body: Buffer }>();

    beforeAll(async () => {
      store = createAudioStore({ env: bucket.env(), logger: false });
      for (const name of ['voice.webm', 'voice.ogg'] as const) {
        const body = await fixture(name);
        notes.set(name, { saved: await store.put(body), body });
      }
      page = await chromium.open(`${pages.origin}/`);
      cdp = await page.context().newCDPSession(page);
      cdp.on('Log.entryAdded', ({ entry }) => logLines.push(`${entry.level} ${entry.source}: ${entry.text}`));
      cdp.on('Network.requestWillBeSent', ({ request, type }) => {
        if (type === 'Preflight' || request.method === 'OPTIONS') preflights.push(`${request.method} ${request.url}`);
      });
      await cdp.send('Log.enable');
      await cdp.send('Network.enable');
    });

    afterAll(async () => {
      await page?.context().close();
    });

    it('plays WebM/Opus and Ogg/Opus from store.url() in <audio> (no CORS needed)', async () => {
      expect(new URL(pages.origin).origin).not.toBe(new URL(target.endpoint).origin);
      for (const [name, { saved }] of notes) {
        expect(saved).toMatchObject({ storageType: 's3', contentType: name === 'voice.webm' ? 'audio/webm' : 'audio/ogg' });
        const url = await store.url(saved.key);
        expect(url).toContain('X-Amz-Signature=');
        const report = await callPage(page, 'play', url);
        expectPlayed(report, page, `${name} from ${target.server}`);
      }
    });

    it.skipIf(target.bucket !== undefined)("fetch() needs the README's CORS rule: blocked without it, readable (with ranges) with it", async () => {
      const { saved, body } = notes.get('voice.webm')!;
      const url = await store.url(saved.key);

      // No CORS configuration on the bucket: the response reaches the browser but not the page.
      await bucket.client.send(new DeleteBucketCorsCommand({ Bucket: bucket.name })).catch(() => undefined);
      const blocked = await callPage(page, 'fetch', url);
      expect(blocked.ok, JSON.stringify(blocked)).toBe(false);
      expect(blocked.error).toMatch(/TypeError: Failed to fetch/);
      // Chromium says why in its log; poll briefly, the entry arrives asynchronously.
      await expect.poll(() => logLines.join('\n'), { timeout: 5_000 }).toMatch(/blocked by CORS policy: No 'Access-Control-Allow-Origin' header/);
      // The URL itself is fine: the same request outside a browser gets the bytes.
      const direct = await fetch(url);
      expect(direct.status).toBe(200);
      await direct.arrayBuffer();

      // README step 3, with this page's origin.
      await bucket.client.send(
        new PutBucketCorsCommand({
          Bucket: bucket.name,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: [pages.origin],
                AllowedMethods: ['GET', 'HEAD'],
                AllowedHeaders: ['Range'],
                ExposeHeaders: ['Content-Length', 'Content-Range', 'Content-Type', 'ETag', 'Accept-Ranges'],
                MaxAgeSeconds: 3600,
              },
            ],
          },
        }),
      );

      const whole = await callPage(page, 'fetch', url);
      expect(whole, JSON.stringify({ ...whole, bytes: whole.bytes.length })).toMatchObject({ ok: true, status: 200, type: 'cors' });
      expect(Buffer.from(whole.bytes).equals(body)).toBe(true);
      expect(whole.headers['content-type']).toBe('audio/webm');
      expect(Number(whole.headers['content-length'])).toBe(body.length);
      expect(whole.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(whole.headers['accept-ranges']).toBe('bytes');

      const part = await callPage(page, 'fetch', url, { Range: 'bytes=0-3' });
      expect(part, JSON.stringify(part)).toMatchObject({ ok: true, status: 206, type: 'cors' });
      expect(part.headers['content-range']).toBe(`bytes 0-3/${body.length}`);
      expect(Number(part.headers['content-length'])).toBe(4);
      expect(Buffer.from(part.bytes).equals(body.subarray(0, 4))).toBe(true);
      // `Range: bytes=N-M` is a CORS-safelisted header ("simple range"): no preflight for it.
      expect(preflights, 'no preflight for a simple range').toEqual([]);

      // A suffix range is not simple: Chromium sends an OPTIONS preflight first, which the rule's
      // AllowedHeaders: Range answers.
      const tail = await callPage(page, 'fetch', url, { Range: 'bytes=-4' });
      expect(tail, JSON.stringify(tail)).toMatchObject({ ok: true, status: 206, type: 'cors' });
      expect(tail.headers['content-range']).toBe(`bytes ${body.length - 4}-${body.length - 1}/${body.length}`);
      expect(Buffer.from(tail.bytes).equals(body.subarray(-4))).toBe(true);
      expect(preflights, 'a preflight for the suffix range').toEqual([`OPTIONS ${url}`]);
    });

    it('an expired presigned URL fires an error on the <audio> element', async () => {
      const { saved } = notes.get('voice.ogg')!;
      // Signed an hour ago for a minute: expired, with no waiting.
      const expired = await getSignedUrl(bucket.client, new GetObjectCommand({ Bucket: bucket.name, Key: bucket.prefix + saved.key }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 3_600_000),
      });
      const refused = await fetch(expired);
      expect(refused.status).toBe(403);
      await refused.arrayBuffer();
      const report = await callPage(page, 'play', expired);
      expect(report.stage, describePlay(report, [])).toBe('metadata');
      expect(report.error?.code, describePlay(report, [])).toBe(4); // MEDIA_ERR_SRC_NOT_SUPPORTED
    });
  });
});
