/**
 * Real headless Chromium for the browser tests (test/browser/**): Debian's `chromium` package at
 * /usr/bin/chromium (installed by scripts/install-browser.sh), driven by playwright-core, which
 * downloads nothing. Plus two tiny servers on 127.0.0.1, each on a random port:
 *
 * - a page server: one HTML page with the in-page probes (`audioStoreProbe.play`, `.fetch`,
 *   `.canPlay`), so every browser test runs on a real http:// origin;
 * - an audio server: `GET`/`HEAD /audio/<key>` served from an `AudioStore` the way an app would,
 *   with single byte ranges (206), 416, 404, and a log of every request it answered.
 *
 * Whether the browser tests run: when /usr/bin/chromium exists, always. When it is missing they
 * skip with one printed line, unless `AUDIO_STORE_TEST_BROWSER=1` (CI), where they fail instead.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { isAudioStoreError, type AudioObject, type AudioStore, type ByteRange } from '../../src/index.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The team's known-good launch flags for this machine (root, no internet). Without the
 * background-networking ones Chromium keeps dialling Google, and the closed network refuses it.
 * playwright-core's `launch()` adds a fresh, empty, temporary `--user-data-dir` of its own and
 * removes it on `close()`.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Media may play without a user gesture (the tests also mute every element).
  '--autoplay-policy=no-user-gesture-required',
];

export const SKIP_LINE =
  `[browser] skipped: ${CHROMIUM} is missing; run \`bash scripts/install-browser.sh\` (Debian's chromium, root/apt), ` +
  'or set AUDIO_STORE_TEST_BROWSER=1 to make a missing browser fail the run';

/**
 * True when the browser tests of this file should be skipped: no /usr/bin/chromium and
 * `AUDIO_STORE_TEST_BROWSER` is not `1`. Prints {@link SKIP_LINE} once in that case.
 */
export function skipBrowserTests(): boolean {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.AUDIO_STORE_TEST_BROWSER === '1') return false; // `useBrowser` fails the file
  console.log(SKIP_LINE);
  return true;
}

/** The browser of one test file. */
export interface BrowserHandle {
  /** The running browser; only inside tests and hooks (after `beforeAll`). */
  readonly browser: Browser;
  /**
   * A new page in a fresh context, at `url`. Console errors and uncaught page errors are kept in
   * `pageErrors(page)` for failure messages.
   */
  open(url: string): Promise<Page>;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that launch one Chromium for the calling file and close
 * it (and every page) afterwards. Fails the file, with the fix in the message, when the browser
 * is missing (only reached when `AUDIO_STORE_TEST_BROWSER=1`).
 */
export function useBrowser(): BrowserHandle {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`[browser] AUDIO_STORE_TEST_BROWSER=1 but ${CHROMIUM} is missing: run \`bash scripts/install-browser.sh\``);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  }, 30_000);
  return {
    get browser() {
      if (!browser) throw new Error('the browser is not running (outside a test, or the launch failed)');
      return browser;
    },
    async open(url) {
      if (!browser) throw new Error('the browser is not running (outside a test, or the launch failed)');
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
      });
      PAGE_ERRORS.set(page, errors);
      await page.goto(url);
      return page;
    },
  };
}

const PAGE_ERRORS = new WeakMap<Page, string[]>();

/** Console errors and uncaught exceptions a page opened with `open()` reported so far. */
export function pageErrors(page: Page): readonly string[] {
  return PAGE_ERRORS.get(page) ?? [];
}

// ---------------------------------------------------------------------------------------------
// In-page probes. Plain JavaScript in the served page (not functions serialized from this file,
// which the test transform could rewrite), called with `callPage`.
// ---------------------------------------------------------------------------------------------

/** What `audioStoreProbe.play(src)` reports. */
export interface PlayReport {
  /** `done` when every step passed; otherwise the step that failed. */
  stage: 'metadata' | 'seek' | 'play' | 'done';
  /** Why it stopped early (a timeout, a media error, a rejected `play()`), or null. */
  failure: string | null;
  /** `audio.error` (MediaError) when there was one. */
  error: { code: number; message: string } | null;
  /** `audio.duration` at `loadedmetadata`, seconds. */
  duration: number | null;
  /** `currentTime` at `seeked`. */
  seekedTo: number | null;
  /** `currentTime` once `timeupdate` passed `playPast`, or at `ended`. */
  playedTo: number | null;
  ended: boolean;
  /** Every media event, as `name@currentTime`, for failure messages. */
  events: string[];
}

export interface PlayOptions {
  seekTo?: number;
  playPast?: number;
  /** Per step (metadata, seek, play). */
  timeoutMs?: number;
}

/** What `audioStoreProbe.fetch(url, headers)` reports. */
export interface FetchReport {
  /** False when `fetch()` rejected (a network or CORS failure): then `error` says why. */
  ok: boolean;
  error: string | null;
  status: number;
  /** `Response.type`: `cors` for a cross-origin response the page may read. */
  type: string;
  /** The headers JavaScript can read (lowercase names). */
  headers: Record<string, string>;
  bytes: number[];
}

const PAGE_SCRIPT = String.raw`
'use strict';
(() => {
  const TRACKED = ['loadstart', 'durationchange', 'loadedmetadata', 'loadeddata', 'canplay', 'canplaythrough',
    'seeking', 'seeked', 'play', 'playing', 'pause', 'waiting', 'stalled', 'timeupdate', 'ended', 'error', 'abort'];

  const mediaError = (a) => (a.error ? { code: a.error.code, message: a.error.message } : null);

  // Resolves with the first of 'names' that passes 'accept'; rejects on an 'error' event or after
  // timeoutMs. Listeners are attached before the caller triggers the event.
  function waitFor(a, names, timeoutMs, events, accept) {
    return new Promise((resolve, reject) => {
      const all = names.concat(['error']);
      const finish = (fn, value) => {
        clearTimeout(timer);
        for (const name of all) a.removeEventListener(name, on);
        fn(value);
      };
      const on = (event) => {
        if (event.type === 'error') finish(reject, new Error('media error ' + JSON.stringify(mediaError(a))));
        else if (!accept || accept(event)) finish(resolve, event.type);
      };
      const timer = setTimeout(
        () => finish(reject, new Error('timed out after ' + timeoutMs + ' ms waiting for ' + names.join('/') + '; events: ' + events.join(' '))),
        timeoutMs,
      );
      for (const name of all) a.addEventListener(name, on);
    });
  }

  // Loads src in a muted <audio>, waits for metadata, seeks, plays past a point.
  async function play(src, options) {
    const o = Object.assign({ seekTo: 0.3, playPast: 0.35, timeoutMs: 10000 }, options || {});
    const a = document.createElement('audio');
    a.muted = true;
    a.preload = 'auto';
    const events = [];
    for (const name of TRACKED) a.addEventListener(name, () => events.push(name + '@' + a.currentTime.toFixed(3)));
    document.body.append(a);
    const out = { stage: 'metadata', failure: null, error: null, duration: null, seekedTo: null, playedTo: null, ended: false, events };
    try {
      const metadata = waitFor(a, ['loadedmetadata'], o.timeoutMs, events);
      a.src = src;
      await metadata;
      out.duration = a.duration;

      out.stage = 'seek';
      const seeked = waitFor(a, ['seeked'], o.timeoutMs, events);
      a.currentTime = o.seekTo;
      await seeked;
      out.seekedTo = a.currentTime;
      // canplay fires again after a seek only if readyState dropped below HAVE_FUTURE_DATA.
      if (a.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) await waitFor(a, ['canplay'], o.timeoutMs, events);

      out.stage = 'play';
      const progressed = waitFor(a, ['timeupdate', 'ended'], o.timeoutMs, events,
        (event) => event.type === 'ended' || a.currentTime >= o.playPast);
      await Promise.all([a.play(), progressed]);
      out.playedTo = a.currentTime;
      out.ended = a.ended;
      out.stage = 'done';
    } catch (err) {
      out.failure = String((err && err.message) || err);
      out.error = mediaError(a);
    } finally {
      a.pause();
      a.removeAttribute('src');
      a.load();
      a.remove();
    }
    return out;
  }

  // fetch() from this page's origin; reports what page JavaScript can see.
  async function probeFetch(url, headers) {
    try {
      const res = await fetch(url, { headers: headers || {}, cache: 'no-store' });
      const bytes = Array.from(new Uint8Array(await res.arrayBuffer()));
      const seen = {};
      res.headers.forEach((value, name) => { seen[name] = value; });
      return { ok: true, error: null, status: res.status, type: res.type, headers: seen, bytes };
    } catch (err) {
      return { ok: false, error: String(err), status: 0, type: 'error', headers: {}, bytes: [] };
    }
  }

  const canPlay = (type) => document.createElement('audio').canPlayType(type);

  window.audioStoreProbe = { play, fetch: probeFetch, canPlay };
})();
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>audio-store browser tests</title><link rel="icon" href="data:,"></head>
<body>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

type ProbeCalls = {
  play: { args: [src: string, options?: PlayOptions]; result: PlayReport };
  fetch: { args: [url: string, headers?: Record<string, string>]; result: FetchReport };
  canPlay: { args: [type: string]; result: string };
};

/** Calls `window.audioStoreProbe[name](...args)` in `page` and returns its (awaited) result. */
export function callPage<K extends keyof ProbeCalls>(page: Page, name: K, ...args: ProbeCalls[K]['args']): Promise<ProbeCalls[K]['result']> {
  const list = args.map((arg) => (arg === undefined ? 'undefined' : JSON.stringify(arg))).join(', ');
  return page.evaluate(`window.audioStoreProbe.${name}(${list})`) as Promise<ProbeCalls[K]['result']>;
}

// ---------------------------------------------------------------------------------------------
// Servers on 127.0.0.1
// ---------------------------------------------------------------------------------------------

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Media elements keep connections alive; a browser closed first has already dropped them.
        server.closeAllConnections();
      }),
  };
}

/** Serves {@link PAGE_HTML} at every path (no-store), on 127.0.0.1 at a random port. */
export function startPageServer(): Promise<LocalServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const body = Buffer.from(PAGE_HTML);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return listen(server);
}

/** One request the audio server answered. */
export interface ServedRequest {
  method: string;
  path: string;
  /** The request's `Range` header, if any. */
  range: string | undefined;
  status: number;
  /** The response's `Content-Range`, if any. */
  contentRange: string | undefined;
}

export interface AudioServer extends LocalServer {
  /** Every request answered so far, in order. */
  readonly requests: readonly ServedRequest[];
}

/**
 * `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` as a store range (`total` resolves a suffix).
 * Anything else, including several ranges, is ignored (RFC 9110 lets a server ignore `Range`),
 * and the whole object is served.
 */
async function parseRange(header: string | undefined, total: () => Promise<number>): Promise<ByteRange | 'unsatisfiable' | undefined> {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, (await total()) - suffix) };
  }
  return last === '' ? { start: Number(first) } : { start: Number(first), end: Number(last) };
}

/** `/audio/a%20b/c.webm` -> `a b/c.webm`; undefined when the path is not under `publicPath`. */
function keyFromPath(pathname: string, publicPath: string): string | undefined {
  if (!pathname.startsWith(`${publicPath}/`)) return undefined;
  try {
    return pathname.slice(publicPath.length + 1).split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined; // malformed percent-encoding
  }
}

/**
 * Serves `store` at `GET`/`HEAD <publicPath>/<key>` like a minimal app would: Content-Type and
 * Content-Length from the `AudioObject`, `Accept-Ranges: bytes`, a single `Range` with 206 and
 * `Content-Range`, 416 for `INVALID_RANGE`, 404 for `NOT_FOUND` (and an invalid key), the body
 * piped with `stream.pipeline`. `store` is a function so the server can start (and its origin be
 * known, for `AUDIO_STORE_BASE_URL`) before the store exists.
 */
export function startAudioServer(store: () => AudioStore, publicPath = '/audio'): Promise<AudioServer> {
  const requests: ServedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const key = keyFromPath(new URL(req.url ?? '/', 'http://127.0.0.1').pathname, publicPath);
    if (key === undefined) {
      res.writeHead(404).end();
      return;
    }
    const s = store();
    let object: AudioObject;
    try {
      const range = await parseRange(req.headers.range, async () => (await s.head(key)).size);
      if (range === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${(await s.head(key)).size}`);
        res.writeHead(416).end();
        return;
      }
      object = await s.get(key, range === undefined ? undefined : { range });
    } catch (err) {
      if (isAudioStoreError(err, 'NOT_FOUND') || isAudioStoreError(err, 'INVALID_KEY')) {
        res.writeHead(404).end();
      } else if (isAudioStoreError(err, 'INVALID_RANGE')) {
        const size = await s.head(key).then((info) => info.size, () => undefined);
        if (size !== undefined) res.setHeader('Content-Range', `bytes */${size}`);
        res.writeHead(416).end();
      } else {
        res.writeHead(500).end();
      }
      return;
    }
    // setHeader, not writeHead(status, headers): the request log reads Content-Range back.
    res.setHeader('Content-Type', object.contentType);
    res.setHeader('Content-Length', object.size);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-cache');
    if (object.etag !== undefined) res.setHeader('ETag', object.etag);
    if (object.lastModified !== undefined) res.setHeader('Last-Modified', object.lastModified.toUTCString());
    if (object.range) res.setHeader('Content-Range', `bytes ${object.range.start}-${object.range.end}/${object.totalSize}`);
    res.writeHead(object.range ? 206 : 200);
    if (method === 'HEAD') {
      object.body.destroy();
      res.end();
      return;
    }
    // Rejects when the browser hangs up early (media elements often do); pipeline has then
    // destroyed the body, which frees its file handle or connection.
    await pipeline(object.body, res).catch(() => undefined);
  }

  const server = createServer((req, res) => {
    res.once('close', () => {
      const contentRange = res.getHeader('content-range');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        range: req.headers.range,
        status: res.statusCode,
        contentRange: typeof contentRange === 'string' ? contentRange : undefined,
      });
    });
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return listen(server).then((base) => ({ ...base, requests }));
}
