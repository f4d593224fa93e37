import { wavHeader } from './wav.js';

/**
 * The self-test's canary: a WAV of 64 samples forming a ramp, so that its bytes differ from one
 * another and a range read is really checked.
 */
export function canaryWav(): Uint8Array {
  const samples = 64;
  const buf = Buffer.alloc(44 + samples);
  wavHeader(buf.length).copy(buf);
  for (let i = 0; i < samples; i++) buf[44 + i] = (i * 4) & 0xff;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
