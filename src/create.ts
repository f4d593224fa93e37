import type { StorageBackend } from './backend.js';
import { createLocalBackend } from './backends/local/index.js';
import { createMemoryBackend } from './backends/memory/index.js';
import { createS3Backend } from './backends/s3/index.js';
import { resolveConfig, type BackendChoice } from './config/resolve.js';
import { checkConnection } from './core/status.js';
import { createStore } from './core/store.js';
import { createLog, type Log } from './log.js';
import type { AudioStore, AudioStoreOptions } from './types.js';

const BACKEND_METHODS = ['put', 'get', 'head', 'delete', 'list', 'url', 'check'] as const;

function assertBackend(backend: StorageBackend): StorageBackend {
  const missing = BACKEND_METHODS.filter((m) => typeof backend[m] !== 'function');
  if (typeof backend.name !== 'string' || backend.name === '' || missing.length > 0) {
    throw new TypeError(`A custom backend needs a name and the methods ${BACKEND_METHODS.join(', ')}; missing: ${['name', ...missing].join(', ')}`);
  }
  return backend;
}

function buildBackend(choice: BackendChoice): StorageBackend {
  switch (choice.kind) {
    case 's3':
      return createS3Backend(choice.s3);
    case 'local':
      return createLocalBackend(choice.local);
    case 'memory':
      return createMemoryBackend();
    case 'custom':
      return assertBackend(choice.backend);
  }
}

function announce(choice: BackendChoice, log: Log): void {
  if (choice.kind === 's3') log.info('[S3] S3 service configured successfully');
  else if (choice.kind === 'local') log.info('[S3] S3 not configured - falling back to local storage');
  else if (choice.kind === 'memory') log.info('[audio-store] Using in-memory storage');
  else log.info(`[audio-store] Using custom storage backend "${choice.backend.name}"`);
}

/**
 * Creates a store from options and the environment: S3 when a bucket is configured, local disk
 * (`./uploads`) otherwise. Synchronous and free of network I/O; the AWS SDK is loaded on the
 * first S3 operation.
 *
 * Throws `NOT_CONFIGURED`, naming each variable, when S3 was meant but something required is
 * missing or malformed. See docs/configuration.md.
 *
 * @example
 * const store = createAudioStore();
 * const saved = await store.put(req, { contentType: req.headers['content-type'] });
 * res.end(JSON.stringify({ url: saved.url }));
 */
export function createAudioStore(options: AudioStoreOptions = {}): AudioStore {
  const config = resolveConfig(options);
  const log = createLog(config.logger, config.debug, config.secrets);
  const backend = buildBackend(config.choice);
  announce(config.choice, log);
  for (const warning of config.warnings) log.warn(`[audio-store] ${warning}`);

  const ctx = {
    backend,
    maxBytes: config.maxBytes,
    urlExpiresIn: config.urlExpiresIn,
    log,
    secrets: config.secrets,
    s3Configured: config.s3Configured,
    env: config.env,
    warnings: config.warnings,
  };
  if (config.startupCheck) {
    const tag = backend.name === 's3' ? '[S3] S3' : `[audio-store] ${backend.name}`;
    // checkConnection never rejects, and the catch guards the logger: no unhandled rejection either way.
    void checkConnection(ctx)
      .then((r) => {
        if (r.ok) log.info(`${tag} connection test succeeded (${r.latencyMs} ms)`);
        else log.error(`${tag} connection test failed: ${r.error?.code ?? 'BACKEND_ERROR'}: ${r.error?.message ?? 'unknown error'}`);
      })
      .catch(() => undefined);
  }
  return createStore(ctx);
}
