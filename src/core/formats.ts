/**
 * The audio formats browsers and phones record, keyed by what `file-type` detects. Containers
 * that can also hold video (WebM, MP4, 3GP) are stored with their audio type: a voice note is
 * what this library is for, and players pick the codec from the stream either way.
 */
export interface AudioFormat {
  /** Extension for generated keys. */
  ext: string;
  /** The type stored when the declared one disagrees. */
  contentType: string;
  /** Declared types (lowercase, without parameters) that agree with these bytes. */
  aliases: readonly string[];
}

const FORMATS: Record<string, AudioFormat> = {
  webm: { ext: 'webm', contentType: 'audio/webm', aliases: ['audio/webm', 'video/webm'] },
  mka: { ext: 'mka', contentType: 'audio/x-matroska', aliases: ['audio/x-matroska', 'video/x-matroska', 'audio/webm'] },
  mkv: { ext: 'mka', contentType: 'audio/x-matroska', aliases: ['audio/x-matroska', 'video/x-matroska', 'video/matroska', 'audio/webm'] },
  opus: { ext: 'ogg', contentType: 'audio/ogg', aliases: ['audio/ogg', 'audio/opus', 'application/ogg'] },
  oga: { ext: 'ogg', contentType: 'audio/ogg', aliases: ['audio/ogg', 'application/ogg'] },
  ogg: { ext: 'ogg', contentType: 'audio/ogg', aliases: ['audio/ogg', 'application/ogg'] },
  spx: { ext: 'ogg', contentType: 'audio/ogg', aliases: ['audio/ogg', 'audio/speex'] },
  m4a: { ext: 'm4a', contentType: 'audio/mp4', aliases: ['audio/mp4', 'audio/x-m4a', 'audio/m4a', 'audio/aac', 'video/mp4'] },
  mp4: { ext: 'm4a', contentType: 'audio/mp4', aliases: ['audio/mp4', 'audio/x-m4a', 'audio/m4a', 'video/mp4'] },
  '3gp': { ext: '3gp', contentType: 'audio/3gpp', aliases: ['audio/3gpp', 'video/3gpp'] },
  mp3: { ext: 'mp3', contentType: 'audio/mpeg', aliases: ['audio/mpeg', 'audio/mp3', 'audio/mpeg3'] },
  wav: { ext: 'wav', contentType: 'audio/wav', aliases: ['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave'] },
  aac: { ext: 'aac', contentType: 'audio/aac', aliases: ['audio/aac', 'audio/x-aac', 'audio/aacp'] },
  flac: { ext: 'flac', contentType: 'audio/flac', aliases: ['audio/flac', 'audio/x-flac'] },
  amr: { ext: 'amr', contentType: 'audio/amr', aliases: ['audio/amr'] },
};

/** The accepted format for a `file-type` extension, or undefined. */
export function formatForDetectedExt(ext: string): AudioFormat | undefined {
  return Object.hasOwn(FORMATS, ext) ? FORMATS[ext] : undefined;
}

/** Keeps the declared type (with its codec parameters) when it names the sniffed format. */
export function chooseContentType(format: AudioFormat, declared: string | undefined): string {
  if (!declared) return format.contentType;
  const base = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  return format.aliases.includes(base) ? declared.trim() : format.contentType;
}

const BY_EXTENSION: Record<string, string> = {
  webm: 'audio/webm',
  mka: 'audio/x-matroska',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  '3gp': 'audio/3gpp',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  aac: 'audio/aac',
  flac: 'audio/flac',
  amr: 'audio/amr',
};

/** A content type from a key's extension, for objects stored without one (files copied in by hand). */
export function contentTypeForKey(key: string): string {
  const dot = key.lastIndexOf('.');
  const ext = dot > key.lastIndexOf('/') ? key.slice(dot + 1).toLowerCase() : '';
  return Object.hasOwn(BY_EXTENSION, ext) ? (BY_EXTENSION[ext] as string) : 'application/octet-stream';
}
