// Shared helpers for the benchmarks: a WAV source, a null sink, statistics, memory sampling and
// table formatting. Plain ESM with node built-ins only.
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** xorshift32, as in src/testing/audio.ts: deterministic bytes that are never all equal. */
function fillNoise(out, seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The 44-byte header of a PCM WAV file of `totalBytes` bytes (8-bit mono, 8 kHz). */
export function wavHeader(totalBytes) {
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(totalBytes - 8, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(8000, 28);
  buf.writeUInt16LE(1, 32);
  buf.writeUInt16LE(8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(totalBytes - 44, 40);
  return buf;
}

// Samples are copied out of a 1 MiB block of noise made once: generating every byte in JS
// (as the test helper does) runs at a few hundred MB/s and would hide what is being measured.
let noisePool;
function pool() {
  noisePool ??= fillNoise(Buffer.allocUnsafe(MiB), 7);
  return noisePool;
}

/** A complete WAV file in memory (for small notes, where the caller does hand over bytes). */
export function makeWav(totalBytes) {
  const buf = Buffer.allocUnsafe(totalBytes);
  wavHeader(totalBytes).copy(buf);
  const p = pool();
  for (let at = 44; at < totalBytes; at += p.length) p.copy(buf, at, 0, Math.min(p.length, totalBytes - at));
  return buf;
}

/**
 * A WAV body of `totalBytes` produced as a Node Readable in fresh `chunkBytes` buffers, like an
 * incoming HTTP request: never holds the whole file. Optional `onChunk` runs per chunk produced.
 */
export function wavSource(totalBytes, { chunkBytes = 64 * KiB, onChunk } = {}) {
  const p = pool();
  let sent = 0;
  let offset = 0;
  return new Readable({
    highWaterMark: chunkBytes,
    read() {
      onChunk?.();
      if (sent === 0) {
        sent = 44;
        this.push(wavHeader(totalBytes));
        return;
      }
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkBytes, totalBytes - sent, p.length - offset);
      const chunk = Buffer.allocUnsafe(n);
      p.copy(chunk, 0, offset, offset + n);
      offset = (offset + n) % p.length;
      sent += n;
      this.push(chunk);
    },
  });
}

/** A Writable that drops everything; counts bytes so the result can be checked. */
export function nullSink(onChunk) {
  const sink = new Writable({
    highWaterMark: 64 * KiB,
    write(chunk, _enc, cb) {
      sink.bytes += chunk.length;
      onChunk?.();
      cb();
    },
  });
  sink.bytes = 0;
  return sink;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const mbps = (bytes, ms) => bytes / MiB / (ms / 1000);

/**
 * The kernel's peak RSS of this process's own memory (Linux `VmHWM`), or undefined elsewhere.
 * Not `resourceUsage().maxRSS`: in a child process that also counts the parent's RSS at fork.
 */
export function highWaterRss() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak RSS mark to the current RSS (Linux); false where that is not possible. */
export function resetHighWaterRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Peak memory while `fn` runs: `process.memoryUsage()` sampled on a timer and whenever `tick()` is
 * called (the benchmark calls it per chunk), plus the kernel's own peak RSS (`maxRSS`).
 */
export function memorySampler(intervalMs = 2) {
  const peak = { rss: 0, heapUsed: 0, arrayBuffers: 0, external: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak.rss = m.rss;
    if (m.heapUsed > peak.heapUsed) peak.heapUsed = m.heapUsed;
    if (m.arrayBuffers > peak.arrayBuffers) peak.arrayBuffers = m.arrayBuffers;
    if (m.external > peak.external) peak.external = m.external;
  };
  let count = 0;
  const timer = setInterval(sample, intervalMs);
  return {
    tick() {
      if ((++count & 3) === 0) sample();
    },
    stop() {
      clearInterval(timer);
      sample();
      const hwm = highWaterRss();
      return { ...peak, maxRSS: hwm ?? process.resourceUsage().maxRSS * 1024, maxRSSSource: hwm === undefined ? 'maxRSS' : 'VmHWM' };
    },
  };
}

export const fmt = {
  mb: (bytes) => (bytes / MiB).toFixed(1),
  signedMb: (bytes) => `${bytes >= 0 ? '+' : '−'}${Math.abs(bytes / MiB).toFixed(1)}`,
  rate: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  ratio: (v) => `${v.toFixed(2)}×`,
  ms: (v) => (v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  size: (bytes) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`),
};

/** A markdown table; also readable as plain text on stdout. */
export function table(headers, rows, { alignLeft = false } = {}) {
  const cells = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)));
  const left = (i) => i === 0 || alignLeft;
  const line = (r) => `| ${r.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (left(i) ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}
