import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only adds contention.
    maxWorkers: 2,
    // Real S3 for test/real-s3/**: starts a throwaway Ceph RGW when AUDIO_STORE_TEST_S3=ceph, uses
    // AUDIO_STORE_TEST_S3_ENDPOINT when set, and otherwise lets those files skip themselves.
    globalSetup: ['test/support/s3-global-setup.ts'],
  },
});
