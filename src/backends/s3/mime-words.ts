// One RFC 2047 encoded-word: =?charset?B|Q?text?=
const ENCODED_WORD = /^=\?([^?]+)\?([BbQq])\?([^?]*)\?=$/;

/**
 * Decodes a value made only of UTF-8 RFC 2047 encoded-words, the form in which S3 returns
 * non-ASCII metadata that another tool stored. Returns undefined for anything else.
 */
export function decodeMimeWords(value: string): string | undefined {
  if (!value.startsWith('=?')) return undefined;
  const parts: Buffer[] = [];
  // Whitespace between adjacent encoded-words is not part of the text (RFC 2047, section 6.2).
  for (const word of value.trim().split(/\s+/)) {
    const match = ENCODED_WORD.exec(word);
    if (!match || match[1]?.toLowerCase() !== 'utf-8') return undefined;
    const text = match[3] ?? '';
    parts.push(match[2]?.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text));
  }
  return Buffer.concat(parts).toString('utf8');
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    const hex = ch === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(ch === '_' ? 0x20 : ch.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}
