import { Readable } from 'node:stream';
import { wavHeader } from '../core/wav.js';

/** xorshift32: cheap, deterministic, and never all-equal bytes, so range reads are meaningful. */
function noise(seed: number): (out: Buffer, from: number) => void {
  let x = (seed * 2654435761) >>> 0 || 1;
  return (out, from) => {
    for (let i = from; i < out.length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
  };
}

/**
 * A valid PCM WAV file of exactly `totalBytes` bytes (44-byte header plus 8-bit mono samples at
 * 8 kHz). Samples come from a seeded generator, so two seeds give two different bodies.
 */
export function makeWav(totalBytes: number, seed = 1): Buffer {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 44) throw new RangeError('A WAV file needs at least 44 bytes');
  const buf = Buffer.alloc(totalBytes);
  wavHeader(totalBytes).copy(buf);
  noise(seed)(buf, 44);
  return buf;
}

/**
 * A WAV body of `totalBytes` bytes produced as a stream in `chunkBytes` pieces, without ever
 * holding the whole file: for memory-flat and large-upload tests.
 */
export function wavStream(totalBytes: number, chunkBytes = 64 * 1024, seed = 1): Readable {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 44) throw new RangeError('A WAV file needs at least 44 bytes');
  const fill = noise(seed);
  let sent = 0;
  return new Readable({
    read() {
      if (sent === 0) {
        sent = 44;
        this.push(wavHeader(totalBytes));
      } else if (sent >= totalBytes) {
        this.push(null);
      } else {
        const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, totalBytes - sent));
        fill(chunk, 0);
        sent += chunk.length;
        this.push(chunk);
      }
    },
  });
}

export { readAll } from '../core/read-all.js';
