import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup for the real-S3 tests (test/real-s3/**). It decides once per run where they
 * talk to, and hands that to the test files with `provide('realS3', ...)`:
 *
 * - `AUDIO_STORE_TEST_S3=ceph`: starts a throwaway Ceph RADOS Gateway with
 *   scripts/s3-test-server.sh (its own directory and free ports, so it never touches a server a
 *   developer started by hand, nor one of a concurrent run) and stops it in the teardown. A server
 *   that does not start fails the run.
 * - `AUDIO_STORE_TEST_S3_ENDPOINT` (+ `_ACCESS_KEY_ID`, `_SECRET_ACCESS_KEY`, optional `_REGION` and
 *   `_BUCKET`): uses that store (MinIO, R2, AWS, a Ceph started by hand); starts nothing.
 * - neither: provides `null`; the real-S3 files skip themselves and one line says how to run them.
 */

/** Where the real-S3 tests send requests. Serializable: it crosses into the test workers. */
export interface RealS3Target {
  /** `ceph`: the throwaway server this setup started. `external`: one the developer pointed at. */
  server: 'ceph' | 'external';
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** An existing bucket to use (objects go under a per-file prefix), instead of a bucket per file. */
  bucket?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `null` when no real S3 is configured: the real-S3 tests skip. */
    realS3: RealS3Target | null;
  }
}

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SCRIPT = join(ROOT, 'scripts', 's3-test-server.sh');
/** Every run gets `<prefix><pid>`; directories of runs whose process is gone are swept. */
const DIR_PREFIX = join(tmpdir(), 'audio-store-s3-vitest-');
const UP_TIMEOUT_MS = 120_000;
const DOWN_TIMEOUT_MS = 60_000;

export const HOW_TO_RUN =
  '[real-s3] skipped: run them with `AUDIO_STORE_TEST_S3=ceph npm test` (after `bash scripts/install-s3-test-server.sh`), ' +
  'or set AUDIO_STORE_TEST_S3_ENDPOINT, AUDIO_STORE_TEST_S3_ACCESS_KEY_ID, AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY ' +
  '(and AUDIO_STORE_TEST_S3_REGION, optionally AUDIO_STORE_TEST_S3_BUCKET) to use your own S3-compatible store';

function read(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Parses `export NAME=value` lines, as `s3-test-server.sh up` prints them. */
export function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    let value = (match[2] ?? '').trim();
    if (/^'.*'$|^".*"$/.test(value)) value = value.slice(1, -1);
    out[match[1]] = value;
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function serverEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, AUDIO_STORE_S3_DIR: dir, ...extra };
}

/** Stops the daemons of an earlier run whose vitest process died before its teardown. */
function sweepStaleServers(): void {
  const parent = tmpdir();
  const base = DIR_PREFIX.slice(parent.length + 1);
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(base)) continue;
    const pid = Number(name.slice(base.length));
    if (!Number.isSafeInteger(pid) || pid === process.pid || pidAlive(pid)) continue;
    try {
      execFileSync('bash', [SCRIPT, 'down'], { env: serverEnv(join(parent, name)), stdio: 'ignore', timeout: DOWN_TIMEOUT_MS });
    } catch {
      // Best effort: `up` of this run does not depend on it.
    }
  }
}

function runScript(args: string[], env: NodeJS.ProcessEnv, timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolveRun({ stdout, stderr });
    });
  });
}

async function startCeph(): Promise<{ target: RealS3Target; stop: () => Promise<void>; stopSync: () => void }> {
  if (!existsSync(SCRIPT)) throw new Error(`AUDIO_STORE_TEST_S3=ceph, but ${SCRIPT} is missing`);
  sweepStaleServers();
  const dir = `${DIR_PREFIX}${process.pid}`;
  const port = await freePort();
  // Each probe frees its port before the next one, so the two could otherwise be the same.
  let monPort = await freePort();
  while (monPort === port) monPort = await freePort();
  const env = serverEnv(dir, { AUDIO_STORE_S3_PORT: String(port), AUDIO_STORE_S3_MON_PORT: String(monPort) });
  const started = performance.now();

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync('bash', [SCRIPT, 'down'], { env, stdio: 'ignore', timeout: DOWN_TIMEOUT_MS });
    } catch {
      // Reported by the regular teardown when it gets to run; nothing more to do on exit.
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopSync);
    try {
      await runScript(['down'], env, DOWN_TIMEOUT_MS);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`[real-s3] stopping the Ceph test server (${dir}) failed: ${(err as Error).message}\n${stderr}`);
    }
  };
  // If vitest exits without running the teardown (an interrupted run), still stop the daemons.
  process.once('exit', stopSync);

  let stdout: string;
  try {
    ({ stdout } = await runScript(['up'], env, UP_TIMEOUT_MS));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    // `up` stops what it started when it fails; `down` also removes the directory.
    await stop().catch(() => undefined);
    throw new Error(
      `[real-s3] AUDIO_STORE_TEST_S3=ceph but the Ceph test server did not start (${(err as Error).message.split('\n')[0]}).\n` +
        'Is it installed? Run `bash scripts/install-s3-test-server.sh`.\n' +
        stderr,
    );
  }
  const vars = parseExports(stdout);
  const need = ['AUDIO_STORE_TEST_S3_ENDPOINT', 'AUDIO_STORE_TEST_S3_ACCESS_KEY_ID', 'AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY'] as const;
  const missing = need.filter((name) => !vars[name]);
  if (missing.length > 0) {
    await stop().catch(() => undefined);
    throw new Error(`[real-s3] s3-test-server.sh up printed no ${missing.join(', ')}; its output was:\n${stdout}`);
  }
  const target: RealS3Target = {
    server: 'ceph',
    endpoint: vars.AUDIO_STORE_TEST_S3_ENDPOINT!,
    region: vars.AUDIO_STORE_TEST_S3_REGION || 'us-east-1',
    accessKeyId: vars.AUDIO_STORE_TEST_S3_ACCESS_KEY_ID!,
    secretAccessKey: vars.AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY!,
  };
  console.log(`[real-s3] Ceph RGW test server up at ${target.endpoint} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { target, stop, stopSync };
}

function externalTarget(endpoint: string): RealS3Target {
  const accessKeyId = read('AUDIO_STORE_TEST_S3_ACCESS_KEY_ID');
  const secretAccessKey = read('AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY');
  const missing = [
    accessKeyId === undefined ? 'AUDIO_STORE_TEST_S3_ACCESS_KEY_ID' : undefined,
    secretAccessKey === undefined ? 'AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0 || accessKeyId === undefined || secretAccessKey === undefined) {
    throw new Error(`[real-s3] AUDIO_STORE_TEST_S3_ENDPOINT is set but ${missing.join(' and ')} is not`);
  }
  if (!URL.canParse(endpoint)) throw new Error(`[real-s3] AUDIO_STORE_TEST_S3_ENDPOINT is not a URL: ${endpoint}`);
  const bucket = read('AUDIO_STORE_TEST_S3_BUCKET');
  const target: RealS3Target = {
    server: 'external',
    endpoint: endpoint.replace(/\/+$/, ''),
    region: read('AUDIO_STORE_TEST_S3_REGION') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    ...(bucket === undefined ? {} : { bucket }),
  };
  console.log(`[real-s3] using ${target.endpoint}${bucket === undefined ? '' : ` (bucket ${bucket})`}`);
  return target;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const mode = read('AUDIO_STORE_TEST_S3');
  if (mode !== undefined && mode !== 'ceph') {
    throw new Error(`[real-s3] AUDIO_STORE_TEST_S3 must be "ceph" (or unset), not "${mode}"`);
  }
  if (mode === 'ceph') {
    const ceph = await startCeph();
    project.provide('realS3', ceph.target);
    return ceph.stop;
  }
  const endpoint = read('AUDIO_STORE_TEST_S3_ENDPOINT');
  if (endpoint !== undefined) {
    project.provide('realS3', externalTarget(endpoint));
    return undefined;
  }
  project.provide('realS3', null);
  console.log(HOW_TO_RUN);
  return undefined;
}
