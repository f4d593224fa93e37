/**
 * Test helpers: the in-memory backend, the conformance suite every backend must pass, and
 * generators of real audio bodies. Import from `audio-store/testing` (needs vitest).
 *
 * @packageDocumentation
 */
export { createMemoryBackend, type MemoryBackendOptions } from '../backends/memory/index.js';
export {
  runBackendConformance,
  CONFORMANCE_MAX_BYTES,
  type ConformanceOptions,
  type ConformanceSettings,
  type ConformanceTarget,
} from './conformance.js';
export { makeWav, wavStream, readAll } from './audio.js';
