/**
 * A tiny, valid WAV file (mono, 8 kHz, 8-bit, 64 samples of a ramp) for the self-test: it passes the
 * same sniffing as real uploads, and its bytes differ from one another so a range read is checked.
 */
export function canaryWav(): Uint8Array {
  const samples = 64;
  const buf = Buffer.alloc(44 + samples);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(8000, 28);
  buf.writeUInt16LE(1, 32);
  buf.writeUInt16LE(8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples, 40);
  for (let i = 0; i < samples; i++) buf[44 + i] = (i * 4) & 0xff;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
