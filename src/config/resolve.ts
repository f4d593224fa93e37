import { AudioStoreError } from '../errors.js';
import type { StorageBackend } from '../backend.js';
import type { AudioStoreLogger, AudioStoreOptions, EnvPresence } from '../types.js';
import type { S3BackendConfig } from '../backends/s3/index.js';
import type { LocalBackendConfig } from '../backends/local/index.js';
import { normalizePrefix } from '../core/key.js';
import { DEFAULTS, ENV_VARS, S3_ONLY_VARS } from './variables.js';
import {
  parseBaseUrl,
  parseBoolean,
  parseBucket,
  parseInteger,
  parsePublicPath,
  parseRegion,
  type Parsed,
} from './parse.js';

/** Which backend to build, with its settings. */
export type BackendChoice =
  | { kind: 's3'; s3: S3BackendConfig }
  | { kind: 'local'; local: LocalBackendConfig }
  | { kind: 'memory' }
  | { kind: 'custom'; backend: StorageBackend };

/** Everything `createAudioStore()` needs, resolved from options and the environment. */
export interface ResolvedConfig {
  choice: BackendChoice;
  maxBytes: number;
  urlExpiresIn: number;
  logger: AudioStoreLogger | false;
  debug: boolean;
  startupCheck: boolean;
  s3Configured: boolean;
  env: Record<string, EnvPresence>;
  /** Said once at creation, and kept for `status()`. */
  warnings: string[];
  /** Values that must never be printed. */
  secrets: string[];
}

type Env = Record<string, string | undefined>;

/** Reads a variable; blank counts as unset, since `FOO=` in a .env file means "not configured". */
function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

class Problems {
  readonly list: string[] = [];
  take<T>(parsed: Parsed<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.list.push(parsed.problem);
    return undefined;
  }
  add(problem: string): void {
    this.list.push(problem);
  }
  throwIfAny(context: string): void {
    if (this.list.length === 0) return;
    throw new AudioStoreError('NOT_CONFIGURED', `${context}: ${this.list.join('; ')}`);
  }
}

function pickBackend(options: AudioStoreOptions, env: Env, problems: Problems): AudioStoreOptions['backend'] {
  if (options.backend !== undefined) return options.backend;
  const raw = read(env, 'AUDIO_STORE_BACKEND')?.trim().toLowerCase();
  if (raw === undefined) return 'auto';
  if (raw === 'auto' || raw === 's3' || raw === 'local' || raw === 'memory') return raw;
  problems.add('AUDIO_STORE_BACKEND must be auto, s3, local or memory');
  return 'auto';
}

function resolveS3(options: AudioStoreOptions, env: Env, problems: Problems): S3BackendConfig {
  const o = options.s3 ?? {};
  const bucketRaw = o.bucket ?? read(env, 'AWS_S3_BUCKET');
  const bucket = bucketRaw === undefined ? problems.add('AWS_S3_BUCKET is missing') : problems.take(parseBucket('AWS_S3_BUCKET', bucketRaw));

  const regionRaw = o.region ?? read(env, 'AWS_REGION') ?? read(env, 'AWS_DEFAULT_REGION');
  // An injected client already carries its region.
  if (regionRaw === undefined && o.client === undefined) problems.add('AWS_REGION is missing (use "auto" for Cloudflare R2, "us-east-1" for most self-hosted stores)');
  const region = regionRaw === undefined ? undefined : problems.take(parseRegion('AWS_REGION', regionRaw));

  const endpointRaw = o.endpoint ?? read(env, 'AWS_ENDPOINT_URL_S3') ?? read(env, 'AWS_S3_ENDPOINT');
  const endpoint = endpointRaw === undefined ? undefined : problems.take(parseBaseUrl('AWS_ENDPOINT_URL_S3', endpointRaw));

  let credentials = o.credentials;
  if (!credentials) {
    const id = read(env, 'AWS_ACCESS_KEY_ID');
    const secret = read(env, 'AWS_SECRET_ACCESS_KEY');
    const token = read(env, 'AWS_SESSION_TOKEN');
    if (id && secret) credentials = { accessKeyId: id.trim(), secretAccessKey: secret.trim(), ...(token ? { sessionToken: token.trim() } : {}) };
    else if (id) problems.add('AWS_SECRET_ACCESS_KEY is missing (AWS_ACCESS_KEY_ID is set; set both, or neither to use an IAM role)');
    else if (secret) problems.add('AWS_ACCESS_KEY_ID is missing (AWS_SECRET_ACCESS_KEY is set; set both, or neither to use an IAM role)');
  }

  const pathStyleRaw = read(env, 'AWS_S3_FORCE_PATH_STYLE');
  const forcePathStyle = o.forcePathStyle ?? (pathStyleRaw === undefined ? undefined : problems.take(parseBoolean('AWS_S3_FORCE_PATH_STYLE', pathStyleRaw)));

  const publicRaw = o.publicUrl ?? read(env, 'AWS_S3_PUBLIC_URL');
  const publicUrl = publicRaw === undefined ? undefined : problems.take(parseBaseUrl('AWS_S3_PUBLIC_URL', publicRaw));

  const prefixRaw = o.prefix ?? read(env, 'AWS_S3_PREFIX') ?? '';
  let prefix = '';
  try {
    prefix = normalizePrefix(prefixRaw.trim());
  } catch {
    problems.add('AWS_S3_PREFIX must be a relative path without "..", backslashes or control characters');
  }
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';


  return {
    bucket: bucket ?? '',
    prefix,
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(forcePathStyle === undefined ? {} : { forcePathStyle }),
    ...(credentials === undefined ? {} : { credentials }),
    ...(o.client === undefined ? {} : { client: o.client }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    // Part and queue sizes are checked by the S3 backend, which knows S3's limits.
    ...(o.partSize === undefined ? {} : { partSize: o.partSize }),
    ...(o.queueSize === undefined ? {} : { queueSize: o.queueSize }),
  };
}

function resolveLocal(options: AudioStoreOptions, env: Env, problems: Problems): LocalBackendConfig {
  const o = options.local ?? {};
  const publicPathRaw = o.publicPath ?? read(env, 'AUDIO_STORE_PUBLIC_PATH') ?? DEFAULTS.publicPath;
  const baseRaw = o.baseUrl ?? read(env, 'AUDIO_STORE_BASE_URL');
  const baseUrl = baseRaw === undefined ? undefined : problems.take(parseBaseUrl('AUDIO_STORE_BASE_URL', baseRaw));
  return {
    dir: o.dir ?? read(env, 'AUDIO_STORE_DIR')?.trim() ?? DEFAULTS.dir,
    publicPath: problems.take(parsePublicPath('AUDIO_STORE_PUBLIC_PATH', publicPathRaw)) ?? DEFAULTS.publicPath,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(o.fs === undefined ? {} : { fs: o.fs }),
  };
}

/**
 * Resolves options and environment into one configuration, or throws `NOT_CONFIGURED` naming every
 * missing or malformed variable. When S3 was clearly meant (a bucket, an S3-only variable, or
 * `AUDIO_STORE_BACKEND=s3`), a gap is an error, never a silent fall-back to disk that a restart wipes.
 */
export function resolveConfig(options: AudioStoreOptions = {}): ResolvedConfig {
  const env: Env = options.env ?? process.env;
  const problems = new Problems();
  const warnings: string[] = [];
  const requested = pickBackend(options, env, problems);

  const s3Signals = S3_ONLY_VARS.filter((name) => read(env, name) !== undefined);
  const s3Meant = requested === 's3' || (requested === 'auto' && (options.s3?.bucket !== undefined || options.s3?.client !== undefined || s3Signals.length > 0));

  let choice: BackendChoice;
  if (typeof requested === 'object') choice = { kind: 'custom', backend: requested };
  else if (requested === 'memory') choice = { kind: 'memory' };
  else if (s3Meant) choice = { kind: 's3', s3: resolveS3(options, env, problems) };
  else choice = { kind: 'local', local: resolveLocal(options, env, problems) };

  const maxRaw = options.maxBytes ?? read(env, 'AUDIO_STORE_MAX_BYTES');
  const maxBytes = (maxRaw === undefined ? undefined : problems.take(parseInteger('AUDIO_STORE_MAX_BYTES', maxRaw, 1, Number.MAX_SAFE_INTEGER))) ?? DEFAULTS.maxBytes;
  const expiresRaw = options.urlExpiresIn ?? read(env, 'AUDIO_STORE_URL_EXPIRES');
  const urlExpiresIn = (expiresRaw === undefined ? undefined : problems.take(parseInteger('AUDIO_STORE_URL_EXPIRES', expiresRaw, 1, DEFAULTS.maxUrlExpiresIn))) ?? DEFAULTS.urlExpiresIn;

  problems.throwIfAny(choice.kind === 's3' ? 'S3 storage is not configured correctly' : 'audio-store is not configured correctly');

  const production = env.NODE_ENV === 'production';
  if (choice.kind === 'local') {
    if (read(env, 'AWS_ACCESS_KEY_ID') !== undefined || read(env, 'AWS_SECRET_ACCESS_KEY') !== undefined) {
      warnings.push('AWS credentials are set but S3 is not selected (no AWS_S3_BUCKET, or AUDIO_STORE_BACKEND=local): using local storage');
    }
    if (production) warnings.push('Using local disk storage in production: files may not persist across restarts or deploys. Set AWS_S3_BUCKET to use S3.');
  }
  if (choice.kind === 'memory' && production) warnings.push('Using in-memory storage in production: every file is lost when the process stops');
  if (choice.kind === 's3' && choice.s3.endpoint?.startsWith('http:') && production) {
    warnings.push('The S3 endpoint uses plain http: requests and presigned URLs are not encrypted in transit');
  }

  const secrets = [
    options.s3?.credentials?.secretAccessKey,
    options.s3?.credentials?.sessionToken,
    options.s3?.credentials?.accessKeyId,
    read(env, 'AWS_SECRET_ACCESS_KEY'),
    read(env, 'AWS_SESSION_TOKEN'),
    read(env, 'AWS_ACCESS_KEY_ID'),
  ].flatMap((s) => (s === undefined ? [] : [s, s.trim()]));

  const debugRaw = read(env, 'AUDIO_STORE_DEBUG');
  const debugFlag = debugRaw === undefined ? undefined : parseBoolean('AUDIO_STORE_DEBUG', debugRaw);
  const debug = options.debug ?? ((debugFlag?.ok === true && debugFlag.value) || env.NODE_ENV === 'development');

  return {
    choice,
    maxBytes,
    urlExpiresIn,
    logger: options.logger === undefined ? console : options.logger,
    debug,
    startupCheck: options.startupCheck ?? choice.kind === 's3',
    s3Configured: choice.kind === 's3',
    env: Object.fromEntries(ENV_VARS.map((name) => [name, read(env, name) === undefined ? 'missing' : 'set'])),
    warnings,
    secrets: [...new Set(secrets)],
  };
}
