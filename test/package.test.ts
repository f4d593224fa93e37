import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'audio-store-package-'));

function newest(folder: string): number {
  return Math.max(
    ...readdirSync(folder, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(path.join(folder, e.name)) : statSync(path.join(folder, e.name)).mtimeMs,
    ),
  );
}

function built(): boolean {
  try {
    return statSync(path.join(root, 'dist/index.js')).mtimeMs >= newest(path.join(root, 'src'));
  } catch {
    return false;
  }
}

function child(format: 'esm' | 'cjs', backend: 'local' | 's3'): Record<string, unknown> {
  const out = execFileSync(
    process.execPath,
    ['--import', './test/support/track-imports.mjs', './test/support/use-store.mjs', format, backend, dir],
    { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe('the published package', { timeout: 120_000 }, () => {
  beforeAll(() => {
    // CI builds first; a developer's stale or missing dist is rebuilt here.
    if (!built()) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['esm', 'cjs'] as const) {
    it(`works from ${format} on local disk without loading any @aws-sdk module`, () => {
      const result = child(format, 'local');
      expect(result).toMatchObject({ storageType: 'local', roundTrip: true, metadata: { From: 'child' }, status: true, selfTest: true, errorClass: 'NOT_FOUND' });
      expect(result.awsLoaded).toEqual([]);
    });

    it(`loads the AWS SDK from ${format} once an S3 backend is used`, () => {
      const result = child(format, 's3');
      expect(result).toMatchObject({ storageType: 's3', connection: false });
      expect(result.awsLoaded).toContain('@aws-sdk/client-s3');
    });
  }
});
