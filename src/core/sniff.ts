import { AudioStoreError } from '../errors.js';
import { formatForDetectedExt, type AudioFormat } from './formats.js';

/** How many leading bytes the sniffer sees; `file-type` detects every format we accept within it. */
export const SNIFF_BYTES = 4100;

/**
 * Identifies the audio format from a body's first bytes. `file-type` is imported on first use so
 * that importing the library stays cheap.
 */
export async function sniffAudio(head: Uint8Array, key: string | undefined): Promise<AudioFormat> {
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(head);
  const format = detected ? formatForDetectedExt(detected.ext) : undefined;
  if (!format) {
    const what = detected ? `${detected.mime} (.${detected.ext})` : 'unrecognized bytes';
    throw new AudioStoreError(
      'UNSUPPORTED_TYPE',
      `Body is ${what}, not a supported audio format (WebM, Ogg, MP4/M4A, MP3, WAV, AAC, FLAC, AMR, 3GP)`,
      { key },
    );
  }
  return format;
}
