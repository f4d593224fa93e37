import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { ENV_VARS } from '../src/config/variables.js';
import { AudioStoreError } from '../src/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const full = {
  AWS_ACCESS_KEY_ID: KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_REGION: 'eu-west-1',
  AWS_S3_BUCKET: 'voice-notes',
};

function notConfigured(env: Record<string, string>): AudioStoreError {
  try {
    resolveConfig({ env, logger: false });
  } catch (err) {
    if (err instanceof AudioStoreError && err.code === 'NOT_CONFIGURED') return err;
    throw err;
  }
  throw new Error('expected NOT_CONFIGURED');
}

describe('which backend the environment picks', () => {
  it.each<[string, Record<string, string>, string]>([
    ['nothing set', {}, 'local'],
    ['blank values count as unset', { AWS_S3_BUCKET: '  ', AWS_REGION: '' }, 'local'],
    ['full S3 configuration', full, 's3'],
    ['bucket and region only: the default credential chain (IAM role)', { AWS_S3_BUCKET: 'voice-notes', AWS_REGION: 'us-east-1' }, 's3'],
    ['AWS_DEFAULT_REGION stands in for AWS_REGION', { AWS_S3_BUCKET: 'voice-notes', AWS_DEFAULT_REGION: 'us-east-1' }, 's3'],
    ['keys without a bucket are for other AWS services', { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }, 'local'],
    ['AUDIO_STORE_BACKEND=local wins over a bucket', { ...full, AUDIO_STORE_BACKEND: 'local' }, 'local'],
    ['AUDIO_STORE_BACKEND=memory', { AUDIO_STORE_BACKEND: 'memory' }, 'memory'],
    ['S3-compatible store', { ...full, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_S3_FORCE_PATH_STYLE: 'true' }, 's3'],
  ])('%s -> %s', (_, env, kind) => {
    expect(resolveConfig({ env, logger: false }).choice.kind).toBe(kind);
  });

  it('lets options win over the environment', () => {
    const c = resolveConfig({ env: full, backend: 'memory', logger: false });
    expect(c.choice.kind).toBe('memory');
    const s = resolveConfig({ env: { ...full, AWS_S3_BUCKET: 'from-env' }, s3: { bucket: 'from-code' }, logger: false });
    expect(s.choice.kind === 's3' && s.choice.s3.bucket).toBe('from-code');
  });

  it('reads every S3 extra', () => {
    const c = resolveConfig({
      env: {
        ...full,
        AWS_SESSION_TOKEN: 'session-token-value',
        AWS_S3_ENDPOINT: 'https://minio.internal:9000/',
        AWS_S3_FORCE_PATH_STYLE: '1',
        AWS_S3_PUBLIC_URL: 'https://cdn.example.com/voice/',
        AWS_S3_PREFIX: 'tenant-1',
      },
      logger: false,
    });
    if (c.choice.kind !== 's3') throw new Error('expected s3');
    expect(c.choice.s3).toMatchObject({
      bucket: 'voice-notes',
      region: 'eu-west-1',
      endpoint: 'https://minio.internal:9000',
      forcePathStyle: true,
      publicUrl: 'https://cdn.example.com/voice',
      prefix: 'tenant-1/',
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: 'session-token-value' },
    });
    expect(c.secrets).toContain('session-token-value');
  });

  it('reads the local and general settings', () => {
    const c = resolveConfig({
      env: { AUDIO_STORE_DIR: '/data/voice', AUDIO_STORE_PUBLIC_PATH: '/media/', AUDIO_STORE_BASE_URL: 'https://api.example.com/', AUDIO_STORE_MAX_BYTES: '1000', AUDIO_STORE_URL_EXPIRES: '60' },
      logger: false,
    });
    expect(c.choice).toEqual({ kind: 'local', local: { dir: '/data/voice', publicPath: '/media', baseUrl: 'https://api.example.com' } });
    expect(c.maxBytes).toBe(1000);
    expect(c.urlExpiresIn).toBe(60);
  });

  it('defaults to ./uploads, /audio, 25 MiB and one hour', () => {
    const c = resolveConfig({ env: {}, logger: false });
    expect(c.choice).toEqual({ kind: 'local', local: { dir: './uploads', publicPath: '/audio' } });
    expect(c.maxBytes).toBe(25 * 1024 * 1024);
    expect(c.urlExpiresIn).toBe(3600);
    expect(c.startupCheck).toBe(false);
    expect(resolveConfig({ env: full, logger: false }).startupCheck).toBe(true);
  });
});

describe('half-configured S3 is an error, never a silent fall-back', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['bucket without region', { AWS_S3_BUCKET: 'voice-notes' }, ['AWS_REGION']],
    ['key id without secret', { ...full, AWS_SECRET_ACCESS_KEY: '' }, ['AWS_SECRET_ACCESS_KEY']],
    ['secret without key id', { ...full, AWS_ACCESS_KEY_ID: '' }, ['AWS_ACCESS_KEY_ID']],
    ['AUDIO_STORE_BACKEND=s3 with nothing else', { AUDIO_STORE_BACKEND: 's3' }, ['AWS_S3_BUCKET', 'AWS_REGION']],
    ['an endpoint but no bucket', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_REGION: 'us-east-1' }, ['AWS_S3_BUCKET']],
    ['a bad endpoint URL', { ...full, AWS_ENDPOINT_URL_S3: 'not a url' }, ['AWS_ENDPOINT_URL_S3']],
    ['an ftp endpoint', { ...full, AWS_ENDPOINT_URL_S3: 'ftp://x' }, ['AWS_ENDPOINT_URL_S3']],
    ['an invalid bucket name', { ...full, AWS_S3_BUCKET: 'Voice_Notes' }, ['AWS_S3_BUCKET']],
    ['a bucket shaped like an IP', { ...full, AWS_S3_BUCKET: '192.168.1.1' }, ['AWS_S3_BUCKET']],
    ['a bad path-style flag', { ...full, AWS_S3_FORCE_PATH_STYLE: 'maybe' }, ['AWS_S3_FORCE_PATH_STYLE']],
    ['a bad public URL', { ...full, AWS_S3_PUBLIC_URL: '/relative' }, ['AWS_S3_PUBLIC_URL']],
    ['a prefix that climbs', { ...full, AWS_S3_PREFIX: '../other' }, ['AWS_S3_PREFIX']],
    ['several problems at once', { AWS_S3_BUCKET: 'x', AWS_ACCESS_KEY_ID: KEY_ID }, ['AWS_S3_BUCKET', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']],
  ])('%s', (_, env, names) => {
    const err = notConfigured(env);
    for (const name of names) expect(err.message).toContain(name);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(KEY_ID);
  });

  it.each<[string, Record<string, string>, string]>([
    ['unknown backend', { AUDIO_STORE_BACKEND: 'dropbox' }, 'AUDIO_STORE_BACKEND'],
    ['zero max bytes', { AUDIO_STORE_MAX_BYTES: '0' }, 'AUDIO_STORE_MAX_BYTES'],
    ['non-numeric max bytes', { AUDIO_STORE_MAX_BYTES: '25MB' }, 'AUDIO_STORE_MAX_BYTES'],
    ['URL lifetime over seven days', { AUDIO_STORE_URL_EXPIRES: '604801' }, 'AUDIO_STORE_URL_EXPIRES'],
    ['relative public path', { AUDIO_STORE_PUBLIC_PATH: 'audio' }, 'AUDIO_STORE_PUBLIC_PATH'],
    ['bad base URL', { AUDIO_STORE_BASE_URL: 'example.com' }, 'AUDIO_STORE_BASE_URL'],
  ])('rejects %s', (_, env, name) => {
    expect(notConfigured(env).message).toContain(name);
  });
});

describe('warnings and presence', () => {
  it('warns that local files may not persist in production', () => {
    const c = resolveConfig({ env: { NODE_ENV: 'production' }, logger: false });
    expect(c.warnings.join('\n')).toMatch(/may not persist/);
    expect(resolveConfig({ env: {}, logger: false }).warnings).toEqual([]);
  });

  it('reports every variable as set or missing, never its value', () => {
    const c = resolveConfig({ env: full, logger: false });
    expect(Object.keys(c.env).sort()).toEqual([...ENV_VARS].sort());
    expect(c.env.AWS_SECRET_ACCESS_KEY).toBe('set');
    expect(c.env.AWS_SESSION_TOKEN).toBe('missing');
    expect(JSON.stringify(c.env)).not.toContain(SECRET);
  });

  it('turns debug on for AUDIO_STORE_DEBUG=1 or NODE_ENV=development', () => {
    expect(resolveConfig({ env: {}, logger: false }).debug).toBe(false);
    expect(resolveConfig({ env: { AUDIO_STORE_DEBUG: '1' }, logger: false }).debug).toBe(true);
    expect(resolveConfig({ env: { NODE_ENV: 'development' }, logger: false }).debug).toBe(true);
    expect(resolveConfig({ env: { NODE_ENV: 'development' }, debug: false, logger: false }).debug).toBe(false);
  });
});
