import { runBackendConformance, createMemoryBackend } from '../src/testing/index.js';

runBackendConformance('memory', () => createMemoryBackend());
