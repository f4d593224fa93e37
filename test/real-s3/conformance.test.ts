import { describe } from 'vitest';
import { createAudioStore } from '../../src/index.js';
import { runBackendConformance } from '../../src/testing/index.js';
import { realS3Target, useTestBucket } from '../support/real-s3.js';

const target = realS3Target();

// The whole shared suite against a real S3 server, configured exactly as a user would: nothing
// but environment variables.
describe.skipIf(!target)('real S3: conformance', () => {
  if (!target) return;
  const bucket = useTestBucket(target, import.meta.url);

  runBackendConformance(
    `s3 (real: ${target.server} at ${target.endpoint})`,
    ({ maxBytes }) => createAudioStore({ env: bucket.env({ AUDIO_STORE_MAX_BYTES: String(maxBytes) }), logger: false }),
    { timeout: 120_000 },
  );
});
