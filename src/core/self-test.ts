import { randomUUID } from 'node:crypto';
import { AudioStoreError } from '../errors.js';
import type { SelfTestResult, SelfTestStep, StoredAudio } from '../types.js';
import { canaryWav } from './canary.js';
import { readAll } from './read-all.js';
import { RESERVED_PREFIX } from './key.js';
import { report } from './status.js';
import { wrapError } from './wrap.js';
import type { StoreContext } from './store.js';

function mismatch(what: string): AudioStoreError {
  return new AudioStoreError('BACKEND_ERROR', `${what} did not match what was written`);
}

/**
 * A real round trip, after Shrine's storage linter: write a canary, read it back, read a byte
 * range, make a URL, delete it, and confirm it is gone. The canary is deleted whatever fails.
 */
export async function runSelfTest(
  putCanary: (bytes: Uint8Array, key: string) => Promise<StoredAudio>,
  ctx: StoreContext,
): Promise<SelfTestResult> {
  const key = `${RESERVED_PREFIX}selftest/${randomUUID()}.wav`;
  const canary = Buffer.from(canaryWav());
  const steps: SelfTestStep[] = [];

  async function step(name: SelfTestStep['name'], fn: () => Promise<void>): Promise<boolean> {
    const started = performance.now();
    try {
      await fn();
      steps.push({ name, ok: true, ms: Math.round(performance.now() - started) });
      return true;
    } catch (err) {
      steps.push({ name, ok: false, ms: Math.round(performance.now() - started), error: report(err, ctx, `selfTest ${name}`, key) });
      return false;
    }
  }

  // The put goes through the same checks as an upload; the reads go straight to the backend,
  // since the facade refuses reserved keys to callers.
  const { backend } = ctx;
  const written = await step('put', async () => {
    await putCanary(canary, key);
  });
  if (written) {
    (await step('get', async () => {
      const got = await backend.get(key);
      if (!(await readAll(got.body)).equals(canary)) throw mismatch('The canary read back');
    })) &&
      (await step('range', async () => {
        const got = await backend.get(key, { start: 1, end: 2 });
        if (!(await readAll(got.body)).equals(canary.subarray(1, 3))) throw mismatch('Bytes 1-2 of the canary');
      })) &&
      (await step('url', async () => {
        const url = await backend.url(key, { expiresIn: 60 });
        if (typeof url !== 'string' || url.length === 0) throw mismatch('The URL');
      }));
  }
  // Always attempted: even a failed put may have left something behind on a misbehaving backend.
  const deleted = await step('delete', () => backend.delete(key));
  if (deleted) {
    await step('confirm-deleted', async () => {
      try {
        await backend.head(key);
      } catch (err) {
        // Classified the way every other failure is, so a backend's own NOT_FOUND counts too.
        if (wrapError(err, backend, 'selfTest', key, ctx.secrets).code === 'NOT_FOUND') return;
        throw err;
      }
      throw new AudioStoreError('BACKEND_ERROR', 'The canary is still there after delete', { key });
    });
  }
  const result: SelfTestResult = { ok: steps.every((s) => s.ok) && steps.length === 6, storageType: backend.name, steps };
  ctx.log.debug('[audio-store] selfTest', { backend: backend.name, ok: result.ok });
  return result;
}
