import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAudioStore, isAudioStoreError, type SelfTestResult, type StorageStatus } from '../../src/index.js';
import { makeWav } from '../../src/testing/index.js';
import { capturingLogger, realS3Target, useTestBucket, type CapturingLogger } from '../support/real-s3.js';

const target = realS3Target();

const STEPS = ['put', 'get', 'range', 'url', 'delete', 'confirm-deleted'];

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectNoSecrets(secrets: string[], status: StorageStatus, result: SelfTestResult, logger: CapturingLogger, extra: string[] = []): void {
  const texts = { status: JSON.stringify(status), selfTest: JSON.stringify(result), log: logger.lines.join('\n'), errors: extra.join('\n') };
  for (const secret of secrets) {
    for (const [where, text] of Object.entries(texts)) expect(text.includes(secret), `secret found in ${where}`).toBe(false);
  }
}

describe.skipIf(!target)('real S3: status and selfTest', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);
  const wrongSecret = `wrong-${randomUUID()}`;
  const secrets = [target.secretAccessKey, wrongSecret];

  it('reports a healthy server: connection ok, all six self-test steps pass, no secret anywhere', async () => {
    const logger = capturingLogger();
    const store = createAudioStore({ env: bucket.env(), logger, debug: true });
    // The background check that createAudioStore starts for S3.
    expect(await logger.waitFor(/connection test (succeeded|failed)/)).toMatch(/succeeded/);

    const status = await store.status();
    expect(status).toMatchObject({ storageType: 's3', s3Configured: true, persistent: true, bucket: bucket.name, endpoint: target.endpoint });
    expect(status.connection.ok).toBe(true);
    expect(status.connection.error).toBeUndefined();
    expect(status.env.AWS_SECRET_ACCESS_KEY).toBe('set');

    const result = await store.selfTest();
    expect(result.steps.map((s) => s.name)).toEqual(STEPS);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // The canary is gone.
    expect(await bucket.listKeys('.audio-store/')).toEqual([]);

    expect(logger.lines.some((line) => line.startsWith('debug '))).toBe(true);
    expectNoSecrets(secrets, status, result, logger);
  });

  it('reports ACCESS_DENIED for a wrong secret key, and shows neither secret', async () => {
    const logger = capturingLogger();
    const store = createAudioStore({ env: bucket.env({ AWS_SECRET_ACCESS_KEY: wrongSecret }), logger, debug: true });
    expect(await logger.waitFor(/connection test (succeeded|failed)/)).toMatch(/failed: ACCESS_DENIED/);

    const status = await store.status();
    expect(status.connection.ok).toBe(false);
    expect(status.connection.error?.code).toBe('ACCESS_DENIED');

    const result = await store.selfTest();
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ name: 'put', ok: false, error: { code: 'ACCESS_DENIED' } });

    // Failures of ordinary calls, logged at debug level, are just as clean.
    const failures = await Promise.all([
      store.put(makeWav(500, 1), { key: 'denied.wav' }).catch((e: unknown) => e),
      store.head('denied.wav').catch((e: unknown) => e),
    ]);
    const messages: string[] = [];
    for (const err of failures) {
      expect(isAudioStoreError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
      messages.push(String(err), (err as Error).message);
    }
    expectNoSecrets(secrets, status, result, logger, messages);
  });

  it('reports a missing bucket by name', async () => {
    const missing = `ast-missing-${randomUUID().slice(0, 8)}`;
    const logger = capturingLogger();
    const store = createAudioStore({ env: bucket.env({ AWS_S3_BUCKET: missing, AWS_S3_PREFIX: undefined }), logger, debug: true });

    const status = await store.status();
    expect(status.bucket).toBe(missing);
    expect(status.connection.ok).toBe(false);
    expect(status.connection.error?.code).toBe('NOT_CONFIGURED');
    expect(status.connection.error?.message).toContain(missing);

    const result = await store.selfTest();
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ name: 'put', ok: false, error: { code: 'NOT_CONFIGURED' } });
    expectNoSecrets(secrets, status, result, logger);
  });

  it('reports CONNECTION_FAILED for a closed port, promptly', { timeout: 60_000 }, async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const logger = capturingLogger();
    const store = createAudioStore({ env: bucket.env({ AWS_ENDPOINT_URL_S3: endpoint }), logger, debug: true });

    let started = performance.now();
    const status = await store.status();
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(status.endpoint).toBe(endpoint);
    expect(status.connection.ok).toBe(false);
    expect(status.connection.error?.code).toBe('CONNECTION_FAILED');

    started = performance.now();
    const result = await store.selfTest();
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ name: 'put', ok: false, error: { code: 'CONNECTION_FAILED' } });

    started = performance.now();
    const err = await store.get('anything.wav').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(isAudioStoreError(err, 'CONNECTION_FAILED'), String(err)).toBe(true);
    expectNoSecrets(secrets, status, result, logger);
  });
});
