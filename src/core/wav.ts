/**
 * The 44-byte header of a PCM WAV file (mono, 8 kHz, 8-bit) whose whole length is `totalBytes`.
 * Used for the self-test canary and by the test helpers: a WAV is the simplest body that passes
 * the same audio sniffing as a real upload.
 */
export function wavHeader(totalBytes: number): Buffer {
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(totalBytes - 8, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(8000, 28);
  buf.writeUInt16LE(1, 32);
  buf.writeUInt16LE(8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(totalBytes - 44, 40);
  return buf;
}
