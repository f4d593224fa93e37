import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey, normalizeKey, normalizePrefix } from '../src/core/key.js';
import { isAudioStoreError } from '../src/errors.js';

const PIECES = ['..', '.', '/', '//', '\\', '%2e', '%2e%2e', '%2f', ':', 'C:', 'c:', 'a', 'voice', '.wav', ' ', '\u0000', '\n', '\u007f', '\u0085', '\u2028', 'é', 'e\u0301', '日本', '🎤', '+', '&', '~', '.audio-store', '.Audio-Store.', '*', '?', '#'];

const pieced = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''));
const anyString = fc.string({ unit: 'binary', maxLength: 40 });

function accepted(raw: string): string | undefined {
  try {
    return normalizeKey(raw);
  } catch (err) {
    expect(isAudioStoreError(err, 'INVALID_KEY')).toBe(true);
    return undefined;
  }
}

describe('normalizeKey, property-based', () => {
  for (const [name, arb] of [['pieced', pieced], ['arbitrary', anyString]] as const) {
    it(`is idempotent and never leaves the root (${name} keys)`, () => {
      fc.assert(
        fc.property(arb, (raw) => {
          const key = accepted(raw);
          if (key === undefined) return;
          expect(normalizeKey(key)).toBe(key);
          const posix = path.posix.resolve('/srv/root', key);
          expect(posix.startsWith('/srv/root/')).toBe(true);
          const win = path.win32.resolve('C:\\srv\\root', key);
          expect(win.startsWith('C:\\srv\\root\\')).toBe(true);
          expect(key.split('/')).not.toContain('..');
          expect(key.split('/')).not.toContain('.');
          expect(key.split('/')).not.toContain('');
          expect(/[\u0000-\u001f\u007f-\u009f\\]/.test(key)).toBe(false);
          expect(key.split('/')[0]?.toLowerCase().replace(/[. ]+$/, '')).not.toBe('.audio-store');
        }),
        { numRuns: 4000 },
      );
    });
  }

  it('maps composed and decomposed unicode to one key', () => {
    expect(normalizeKey('cafe\u0301.wav')).toBe(normalizeKey('caf\u00e9.wav'));
  });
});

describe('normalizeKey, examples', () => {
  it.each([
    ['a/b.wav', 'a/b.wav'],
    ['a//b.wav', 'a/b.wav'],
    ['./a/./b.wav', 'a/b.wav'],
    ['voice notes/hello world.wav', 'voice notes/hello world.wav'],
    ['%2e%2e/x.wav', '%2e%2e/x.wav'],
    ['...', '...'],
    ['a/..b', 'a/..b'],
    ['x/c:/y.wav', 'x/c:/y.wav'],
  ])('accepts %j as %j', (raw, want) => {
    expect(normalizeKey(raw)).toBe(want);
  });

  it.each(['', '/', '.', './', '..', 'a/../b', '/abs.wav', 'a\\b', 'a\u0000b', 'a\rb', ' a', 'a ', 'a/', 'C:x', 'c:/x', '.audio-store/x', '.audio-store', '.Audio-Store/local/meta/x', '.AUDIO-STORE/x', '.audio-store./x', '.audio-store. ./x', 'x'.repeat(1025), 42, null, undefined])(
    'rejects %j with INVALID_KEY naming the key',
    (raw) => {
      let caught: unknown;
      try {
        normalizeKey(raw);
      } catch (err) {
        caught = err;
      }
      expect(isAudioStoreError(caught, 'INVALID_KEY')).toBe(true);
      if (typeof raw === 'string' && raw.length < 100) expect((caught as Error).message).toContain(JSON.stringify(raw));
    },
  );

  it('lets the library itself use reserved keys', () => {
    expect(normalizeKey('.audio-store/selftest/x.wav', { allowReserved: true })).toBe('.audio-store/selftest/x.wav');
    // Only the folder is reserved, not every name that starts the same way.
    expect(normalizeKey('.audio-stored/x.wav')).toBe('.audio-stored/x.wav');
  });
});

describe('normalizePrefix', () => {
  it('keeps a trailing slash and allows empty', () => {
    expect(normalizePrefix('a/a/')).toBe('a/a/');
    expect(normalizePrefix('a/a')).toBe('a/a');
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix(undefined)).toBe('');
  });
  it.each(['../', '/a', 'a\\', '.audio-store/', '.audio-store', '.Audio-Store', '.AUDIO-STORE/local/'])('rejects %j', (raw) => {
    expect(() => normalizePrefix(raw)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });
});

describe('generateKey', () => {
  it('is YYYY/MM/DD/<uuid>.<ext> in UTC and always valid', () => {
    const key = generateKey('webm', new Date('2026-01-02T23:59:59-05:00'));
    expect(key).toMatch(/^2026\/01\/03\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.webm$/);
    expect(normalizeKey(key)).toBe(key);
    expect(generateKey('wav')).not.toBe(generateKey('wav'));
  });
});
