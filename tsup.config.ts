import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // The SDK stays a runtime dependency, loaded with import() only when an S3 backend is used.
  external: [/^@aws-sdk\//, 'file-type', 'vitest'],
  splitting: true,
});
