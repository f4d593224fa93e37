import type { ReportedError, StorageStatus } from '../types.js';
import { AudioStoreError } from '../errors.js';
import { redact } from '../log.js';
import { wrapError } from './wrap.js';
import type { StoreContext } from './store.js';

/** A connection check never takes longer than this, so a black-holed endpoint cannot hang a health check. */
export const CHECK_TIMEOUT_MS = 10_000;

/** The result of one connection check. */
export interface ConnectionResult {
  ok: boolean;
  latencyMs: number;
  error?: ReportedError;
}

/** Turns any failure into the `{ code, message }` pair that results report, without secrets. */
export function report(err: unknown, ctx: Pick<StoreContext, 'backend' | 'secrets'>, op: string, key?: string): ReportedError {
  const wrapped = wrapError(err, ctx.backend, op, key, ctx.secrets);
  return { code: wrapped.code, message: redact(wrapped.message, ctx.secrets) };
}

/** Runs `fn` but gives up after `ms`, rejecting with CONNECTION_FAILED. */
export async function withTimeout<T>(fn: () => Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AudioStoreError('CONNECTION_FAILED', `${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A real request to the backend (HeadBucket for S3, a write probe for local disk). Never throws. */
export async function checkConnection(ctx: StoreContext): Promise<ConnectionResult> {
  const started = performance.now();
  try {
    await withTimeout(() => ctx.backend.check(), CHECK_TIMEOUT_MS, 'Connection check');
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: report(err, ctx, 'check') };
  }
}

/** Assembles `status()`. Never throws: a backend whose `describe` fails is reported as a warning. */
export async function buildStatus(ctx: StoreContext, check: () => Promise<ConnectionResult>): Promise<StorageStatus> {
  const warnings = [...ctx.warnings];
  let description: ReturnType<NonNullable<StoreContext['backend']['describe']>> = {};
  try {
    description = ctx.backend.describe?.() ?? {};
  } catch (err) {
    warnings.push(report(err, ctx, 'describe').message);
  }
  warnings.push(...(description.warnings ?? []));
  const connection = await check();
  const status: StorageStatus = {
    storageType: ctx.backend.name,
    s3Configured: ctx.s3Configured,
    persistent: ctx.backend.persistent,
    env: { ...ctx.env },
    connection,
    warnings: warnings.map((w) => redact(w, ctx.secrets)),
  };
  if (description.bucket !== undefined) status.bucket = description.bucket;
  if (description.region !== undefined) status.region = description.region;
  if (description.endpoint !== undefined) status.endpoint = redact(description.endpoint, ctx.secrets);
  return status;
}
